package api

import "time"

// ConfigDocument is the declarative configuration that `foyer export`
// writes and `foyer apply` sends (GET /v1/export, POST /v1/apply): every
// tenant with its pools, backends, domains, aliases, policy overrides,
// JWT key and API key names, every plan, and the settings that differ
// from their defaults. Secrets (HS256 JWT secrets, API key tokens and
// hashes, secret settings), certificates and runtime state (domain
// states, health, usage) are not part of it. The yaml tags are the file's
// schema (docs/config.md); the JSON names are the same.
type ConfigDocument struct {
	// Settings maps a `foyer settings` key to its value, as `foyer
	// settings set KEY VALUE` takes it. Secret keys are refused.
	Settings map[string]string `json:"settings,omitempty" yaml:"settings,omitempty"`
	// Plans are the named policy templates, sorted by name.
	Plans []ConfigPlan `json:"plans,omitempty" yaml:"plans,omitempty"`
	// Tenants are sorted by slug.
	Tenants []ConfigTenant `json:"tenants,omitempty" yaml:"tenants,omitempty"`
	// SecretSettingsSet names the secret settings that are set (export
	// only; never in the file: `foyer export` writes them as comments).
	SecretSettingsSet []string `json:"secret_settings_set,omitempty" yaml:"-"`
}

// ConfigPlan is one plan: a name and its policy.
type ConfigPlan struct {
	Name   string            `json:"name" yaml:"name"`
	Policy map[string]string `json:"policy,omitempty" yaml:"policy,omitempty"`
}

// ConfigTenant is one tenant and everything that belongs to it.
type ConfigTenant struct {
	Slug  string `json:"slug" yaml:"slug"`
	Name  string `json:"name,omitempty" yaml:"name,omitempty"`   // default: the slug
	State string `json:"state,omitempty" yaml:"state,omitempty"` // active (default) or suspended
	Plan  string `json:"plan,omitempty" yaml:"plan,omitempty"`   // "" is none
	// Aliases route <alias>.<base-domain> to the tenant.
	Aliases []string `json:"aliases,omitempty" yaml:"aliases,omitempty"`
	// Policy holds the tenant's overrides of its plan (KEY: VALUE of
	// `foyer policy set`), identification options (id-path, id-header,
	// jwt...) included.
	Policy  map[string]string `json:"policy,omitempty" yaml:"policy,omitempty"`
	Pools   []ConfigPool      `json:"pools,omitempty" yaml:"pools,omitempty"`
	Domains []ConfigDomain    `json:"domains,omitempty" yaml:"domains,omitempty"`
	JWTKey  *ConfigJWTKey     `json:"jwt_key,omitempty" yaml:"jwt_key,omitempty"`
	APIKeys []ConfigAPIKey    `json:"api_keys,omitempty" yaml:"api_keys,omitempty"`
}

// ConfigPool is one pool with its balancing and health settings and its
// backends. An empty field is its default (docs/traffic.md).
type ConfigPool struct {
	Name               string          `json:"name" yaml:"name"`
	Algorithm          string          `json:"algorithm,omitempty" yaml:"algorithm,omitempty"`
	HashKey            string          `json:"hash_key,omitempty" yaml:"hash_key,omitempty"`
	Sticky             bool            `json:"sticky,omitempty" yaml:"sticky,omitempty"`
	HealthPath         string          `json:"health_path,omitempty" yaml:"health_path,omitempty"`
	HealthInterval     string          `json:"health_interval,omitempty" yaml:"health_interval,omitempty"`
	HealthTimeout      string          `json:"health_timeout,omitempty" yaml:"health_timeout,omitempty"`
	HealthStatus       string          `json:"health_status,omitempty" yaml:"health_status,omitempty"`
	HealthyThreshold   int             `json:"healthy_threshold,omitempty" yaml:"healthy_threshold,omitempty"`
	UnhealthyThreshold int             `json:"unhealthy_threshold,omitempty" yaml:"unhealthy_threshold,omitempty"`
	MaxFails           int             `json:"max_fails,omitempty" yaml:"max_fails,omitempty"`
	Cooldown           string          `json:"cooldown,omitempty" yaml:"cooldown,omitempty"`
	SlowStart          string          `json:"slow_start,omitempty" yaml:"slow_start,omitempty"`
	Backends           []ConfigBackend `json:"backends,omitempty" yaml:"backends,omitempty"`
}

// ConfigBackend is one upstream server of a pool.
type ConfigBackend struct {
	URL     string `json:"url" yaml:"url"`
	Weight  int    `json:"weight,omitempty" yaml:"weight,omitempty"` // 1..1000; default 1
	Drained bool   `json:"drained,omitempty" yaml:"drained,omitempty"`
}

// ConfigDomain is one custom domain. Its state is runtime state (the
// verifier sets it) and is not part of the document.
type ConfigDomain struct {
	Name string `json:"name" yaml:"name"`
}

// ConfigJWTKey is a tenant's JWT verification key. Data holds a PEM
// public key or a JWKS document; for kind hs256-secret it is empty (the
// secret is never exported) and apply keeps the stored secret.
type ConfigJWTKey struct {
	Kind string `json:"kind" yaml:"kind"` // pem, jwks or hs256-secret
	Data string `json:"data,omitempty" yaml:"data,omitempty"`
}

// ConfigAPIKey is one API key, by name: the token and its hash are never
// exported. Apply creates a key the store lacks and returns its token once.
type ConfigAPIKey struct {
	Name    string    `json:"name" yaml:"name"`
	Expires time.Time `json:"expires,omitzero" yaml:"expires,omitempty"`
}

// ApplyRequest is POST /v1/apply.
type ApplyRequest struct {
	Document ConfigDocument `json:"document"`
	// DryRun computes and validates the changes, then keeps none of them.
	DryRun bool `json:"dry_run,omitempty"`
	// Prune removes what the store has and the document lacks.
	Prune bool `json:"prune,omitempty"`
}

// Change operations of an ApplyResult.
const (
	ChangeCreate = "create"
	ChangeUpdate = "change"
	ChangeRemove = "remove"
	ChangeKeep   = "keep" // in the store, not in the document, and no --prune
)

// ConfigChange is one line of an apply's diff.
type ConfigChange struct {
	Op     string `json:"op"`               // ChangeCreate, ChangeUpdate, ChangeRemove or ChangeKeep
	Kind   string `json:"kind"`             // setting, plan, tenant, policy, alias, pool, backend, domain, jwt-key, api-key
	Name   string `json:"name"`             // e.g. "acme/default http://10.0.0.1:8080"
	Detail string `json:"detail,omitempty"` // e.g. "weight 1 -> 3"
}

// ApplyResult is the answer to POST /v1/apply.
type ApplyResult struct {
	DryRun   bool           `json:"dry_run"`
	Applied  bool           `json:"applied"`  // the changes were committed
	Revision uint64         `json:"revision"` // the store's revision afterwards
	Changes  []ConfigChange `json:"changes"`
	// Keys are the API keys apply created, with their tokens: the only
	// time they are shown.
	Keys []CreatedAPIKey `json:"keys,omitempty"`
}
