package forms

import (
	"errors"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

func asAPIError(err error, ae **api.Error) bool { return errors.As(err, ae) }
