package api

// SetPoolRequest is PUT /v1/tenants/{slug}/pools/{pool}: nil fields keep
// their current value (or the default for a new pool).
type SetPoolRequest struct {
	Algorithm          *string `json:"algorithm,omitempty"`
	HashKey            *string `json:"hash_key,omitempty"`
	Sticky             *bool   `json:"sticky,omitempty"`
	HealthPath         *string `json:"health_path,omitempty"` // "" turns active checks off
	HealthInterval     *string `json:"health_interval,omitempty"`
	HealthTimeout      *string `json:"health_timeout,omitempty"`
	HealthStatus       *string `json:"health_status,omitempty"`
	HealthyThreshold   *int    `json:"healthy_threshold,omitempty"`
	UnhealthyThreshold *int    `json:"unhealthy_threshold,omitempty"`
	MaxFails           *int    `json:"max_fails,omitempty"`
	Cooldown           *string `json:"cooldown,omitempty"`
	SlowStart          *string `json:"slow_start,omitempty"`
}

// Backend health values.
const (
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
	HealthEjected   = "ejected"
	HealthDraining  = "draining"
	HealthUnknown   = "unknown"
)
