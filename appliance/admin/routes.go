package admin

import (
	"net/http"

	"github.com/foyerhq/foyer/store"
)

// access is the permission a route needs.
type access int

const (
	read  access = iota // any identity
	write               // identities whose role may write (RoleAdmin)
)

// handlerFunc serves one route. It writes its own success answer and
// returns an error for the wrapper to turn into a JSON error answer.
type handlerFunc func(s *Server, w http.ResponseWriter, r *http.Request) error

// route is one entry of the handler table.
type route struct {
	method  string
	pattern string
	access  access
	h       handlerFunc
}

// routes is every endpoint the api.Client calls, and nothing else: the
// core table below plus the traffic-control tables in routes_*.go.
// Which of them a tenant-scoped token may call is tenantScopes
// (routes_tokens.go).
var routes = concat(coreRoutes, poolRoutes, policyRoutes, caRoutes, tokenRoutes, followRoutes, obsRoutes, statsRoutes, configRoutes, backupRoutes, checkRoutes, tuiRoutes, sshKeyRoutes)

func concat(tables ...[]route) []route {
	var out []route
	for _, t := range tables {
		out = append(out, t...)
	}
	return out
}

// coreRoutes are the spine's endpoints.
var coreRoutes = []route{
	{"GET", "/v1/status", read, (*Server).getStatus},
	{"GET", "/v1/watch", read, (*Server).watch},

	{"GET", "/v1/settings", read, (*Server).listSettings},
	{"GET", "/v1/settings/{key}", read, (*Server).getSetting},
	{"PUT", "/v1/settings/{key}", write, (*Server).putSetting},

	{"GET", "/v1/tenants", read, (*Server).listTenants},
	{"POST", "/v1/tenants", write, (*Server).createTenant},
	{"GET", "/v1/tenants/{slug}", read, (*Server).getTenant},
	{"PATCH", "/v1/tenants/{slug}", write, (*Server).updateTenant},
	{"DELETE", "/v1/tenants/{slug}", write, (*Server).deleteTenant},

	{"GET", "/v1/tenants/{slug}/backends", read, (*Server).listBackends},
	{"POST", "/v1/tenants/{slug}/pools/{pool}/backends", write, (*Server).addBackend},
	{"DELETE", "/v1/tenants/{slug}/pools/{pool}/backends", write, (*Server).removeBackend},

	{"GET", "/v1/domains", read, (*Server).listDomains},
	{"GET", "/v1/domains/{name}", read, (*Server).getDomain},
	{"POST", "/v1/tenants/{slug}/domains", write, (*Server).addDomain},
	{"DELETE", "/v1/domains/{name}", write, (*Server).removeDomain},
	{"POST", "/v1/domains/{name}/check", write, (*Server).checkDomain},

	{"GET", "/v1/certs", read, (*Server).listCerts},
	{"GET", "/v1/certs/budget", read, (*Server).certBudgets},
	{"POST", "/v1/certs", write, (*Server).addCert},
	{"DELETE", "/v1/certs/{name}", write, (*Server).removeCert},

	{"GET", "/v1/audit", read, (*Server).listAudit},
}

// handler builds the server's root handler: the peer check, then the
// routes on a ServeMux.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := peerFrom(r.Context()); p.refused != nil {
			w.Header().Set("Connection", "close")
			s.writeError(w, r, p.refused)
			return
		}
		// mux.Handler finds the route without setting path values;
		// mux.ServeHTTP then serves it with them.
		if _, pattern := mux.Handler(r); pattern == "" { // the mux's own 404, 405 or redirect
			w = &muxErrorWriter{ResponseWriter: w, r: r}
		}
		mux.ServeHTTP(w, r)
	})
}

// wrap checks that the identity may use rt (its tenant scope for a
// tenant-scoped identity, its access otherwise) and turns the handler's
// error into a JSON answer.
func (s *Server) wrap(rt route) http.Handler {
	sc := tenantScopes[rt.method+" "+rt.pattern]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := peerFrom(r.Context()).id
		if id.Role == RoleTenant {
			if err := s.inScope(r, sc, id); err != nil {
				s.writeError(w, r, err)
				return
			}
		} else if rt.access == write && !id.mayWrite() {
			s.writeError(w, r, errorf(errForbidden, "", "ask an admin, or use the admin socket",
				"%s may only read (role %s)", id.Actor(), id.Role))
			return
		}
		if err := rt.h(s, w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// muxErrorWriter replaces the plain-text body of the mux's 404 and 405
// answers with the API's JSON error body.
type muxErrorWriter struct {
	http.ResponseWriter
	r       *http.Request
	written bool // a JSON body was written; drop the mux's text
}

// WriteHeader writes a JSON error body for the mux's 404 and 405 answers.
func (m *muxErrorWriter) WriteHeader(code int) {
	var body error
	switch code {
	case http.StatusNotFound:
		body = errorf(store.ErrNotFound, "", "check that this client and the daemon are the same foyer version",
			"no API endpoint %s", m.r.URL.Path)
	case http.StatusMethodNotAllowed:
		body = errorf(errBadRequest, "", "", "method %s is not allowed on %s (allowed: %s)",
			m.r.Method, m.r.URL.Path, m.Header().Get("Allow"))
	default:
		m.ResponseWriter.WriteHeader(code)
		return
	}
	m.written = true
	m.Header().Del("Content-Type")
	writeJSON(m.ResponseWriter, code, errorBody(body))
}

// Write drops the mux's text once the JSON body is written.
func (m *muxErrorWriter) Write(b []byte) (int, error) {
	if m.written {
		return len(b), nil
	}
	return m.ResponseWriter.Write(b)
}
