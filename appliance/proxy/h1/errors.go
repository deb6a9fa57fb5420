package h1

import "errors"

// Error is a refusal: the status to answer (400, 414, 431, 501 or 505 for
// a request; 502 for a response from upstream; 400 for a chunked body)
// and a short reason for logs ("Content-Length with Transfer-Encoding",
// ...). After an Error the connection must close: the parser cannot know
// where the next message starts. The values are shared by the package; do
// not modify them.
type Error struct {
	Status int
	Reason string
}

// Error returns "h1: " followed by the reason.
func (e *Error) Error() string { return "h1: " + e.Reason }

// ErrIncomplete means buf does not hold a whole head yet and no limit is
// exceeded: read more into the buffer and call again with all of it.
var ErrIncomplete = errors.New("h1: incomplete head")

// reason names one refusal; reasonText and reasonStatus give its text and
// the status a request refusal answers (a response refusal is always 502).
type reason uint8

const (
	rBadRequestLine reason = iota
	rBadMethod
	rBadTarget
	rTargetForm
	rBadVersion
	rUnsupportedVersion
	rURITooLong
	rHeadTooLarge
	rTooManyHeaders
	rBareLF
	rBareCR
	rObsFold
	rSpaceBeforeColon
	rEmptyName
	rBadName
	rCtlInValue
	rMissingHost
	rDuplicateHost
	rBadHost
	rCLWithTE
	rDuplicateCL
	rListCL
	rBadCL
	rDuplicateTE
	rUnknownTE
	rBadTE
	rTEInHTTP10
	rBadStatusLine
	rBadStatus
	nReasons
)

var reasonText = [nReasons]string{
	rBadRequestLine:     "malformed request line",
	rBadMethod:          "invalid method",
	rBadTarget:          "invalid character in request target",
	rTargetForm:         "request target form not allowed",
	rBadVersion:         "malformed HTTP version",
	rUnsupportedVersion: "HTTP version not supported",
	rURITooLong:         "request target too long",
	rHeadTooLarge:       "head too large",
	rTooManyHeaders:     "too many header lines",
	rBareLF:             "bare LF in head",
	rBareCR:             "bare CR in head",
	rObsFold:            "obs-fold (line starting with whitespace)",
	rSpaceBeforeColon:   "whitespace between field name and colon",
	rEmptyName:          "empty field name",
	rBadName:            "invalid character in field name",
	rCtlInValue:         "control character in field value",
	rMissingHost:        "missing Host",
	rDuplicateHost:      "more than one Host",
	rBadHost:            "invalid Host",
	rCLWithTE:           "Content-Length with Transfer-Encoding",
	rDuplicateCL:        "more than one Content-Length",
	rListCL:             "list-valued Content-Length",
	rBadCL:              "invalid Content-Length",
	rDuplicateTE:        "more than one Transfer-Encoding",
	rUnknownTE:          "unknown transfer coding",
	rBadTE:              "Transfer-Encoding other than a single chunked",
	rTEInHTTP10:         "Transfer-Encoding in HTTP/1.0",
	rBadStatusLine:      "malformed status line",
	rBadStatus:          "invalid status code",
}

var reasonStatus = [nReasons]int{
	rUnsupportedVersion: 505,
	rURITooLong:         414,
	rHeadTooLarge:       431,
	rTooManyHeaders:     431,
	rUnknownTE:          501,
}

// reqErrors and respErrors hold one shared *Error per reason, so a
// refusal allocates nothing.
var reqErrors, respErrors = func() (req, resp [nReasons]*Error) {
	for i := range nReasons {
		st := reasonStatus[i]
		if st == 0 {
			st = 400
		}
		req[i] = &Error{Status: st, Reason: reasonText[i]}
		resp[i] = &Error{Status: 502, Reason: "upstream response: " + reasonText[i]}
	}
	return req, resp
}()
