package forms

import (
	"context"
	"fmt"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/screen"
)

// slugDoc is how a slug is written (the daemon's rule).
const slugDoc = "lower-case letters, digits and hyphens (up to 63): the tenant's id"

func newTenantAdd(env *screen.Env, _ string) screen.Screen {
	return NewForm(env, Spec{
		Title: "add a tenant",
		Verb:  "add",
		Fields: []Field{
			{Key: "slug", Label: "Slug", Doc: slugDoc, Placeholder: "acme"},
			{Key: "name", Label: "Name", Doc: "display name (optional)", Placeholder: "Acme Inc."},
		},
		Submit: func(ctx context.Context, c *api.Client, v []string) (Outcome, error) {
			t, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: v[0], Name: v[1]})
			if err != nil {
				return Outcome{}, err
			}
			return Outcome{Flash: fmt.Sprintf("tenant %s added: press b to give it a backend", t.Slug)}, nil
		},
	})
}

// tenant finds slug in the shared lists (zero if it is not there).
func tenant(env *screen.Env, slug string) api.Tenant {
	for _, t := range env.Data.Tenants {
		if t.Slug == slug {
			return t
		}
	}
	return api.Tenant{Slug: slug}
}

func newTenantEdit(env *screen.Env, slug string) screen.Screen {
	t := tenant(env, slug)
	var plan string // the plan as loaded: only a change is sent
	return NewForm(env, Spec{
		Title: "edit " + slug,
		Fields: []Field{
			{Key: "name", Label: "Name", Doc: "display name", Value: t.Name},
			{Key: "plan", Label: "Plan", Doc: "a plan's name (foyer plan list); empty for none"},
		},
		Load: func(ctx context.Context, c *api.Client) (map[int]string, error) {
			p, err := c.Policy(ctx, slug)
			plan = p.Plan
			return map[int]string{1: p.Plan}, err
		},
		Submit: func(ctx context.Context, c *api.Client, v []string) (Outcome, error) {
			if v[0] != t.Name {
				if _, err := c.UpdateTenant(ctx, slug, api.UpdateTenantRequest{Name: &v[0]}); err != nil {
					return Outcome{}, err
				}
				t.Name = v[0]
			}
			if v[1] != plan {
				if _, err := c.SetPolicy(ctx, slug, api.SetPolicyRequest{Plan: &v[1]}); err != nil {
					return Outcome{}, err
				}
				plan = v[1]
			}
			return Outcome{Flash: "tenant " + slug + " saved"}, nil
		},
	})
}

// stateSubmit sets a tenant's state.
func stateSubmit(slug, state string) Submit {
	return func(ctx context.Context, c *api.Client, _ []string) (Outcome, error) {
		t, err := c.UpdateTenant(ctx, slug, api.UpdateTenantRequest{State: &state})
		if err != nil {
			return Outcome{}, err
		}
		return Outcome{Flash: fmt.Sprintf("tenant %s is %s", t.Slug, t.State)}, nil
	}
}

func newTenantSuspend(env *screen.Env, slug string) screen.Screen {
	return NewForm(env, Spec{
		Title:   "suspend " + slug,
		Intro:   []string{"A suspended tenant's hosts answer 503 \"this site is suspended\" until it is resumed; its configuration and domains are kept (certificate renewals pause)."},
		Confirm: "Suspend tenant " + slug + "?",
		Verb:    "suspend",
		Submit:  stateSubmit(slug, "suspended"),
	})
}

func newTenantResume(env *screen.Env, slug string) screen.Screen {
	return NewForm(env, Spec{
		Title:  "resume " + slug,
		Intro:  []string{"Resuming sends " + slug + "'s traffic to its backends again."},
		Verb:   "resume",
		Submit: stateSubmit(slug, "active"),
	})
}

func newTenantDelete(env *screen.Env, slug string) screen.Screen {
	nb, nd := len(env.Data.Backends[slug]), len(env.Data.ByTenant[slug])
	force := nb+nd > 0
	intro := []string{"Deleting a tenant cannot be undone."}
	if force {
		intro = append(intro,
			fmt.Sprintf("%s has %s and %s: deleting it removes them too", slug, plural(nb, "backend"), plural(nd, "domain")),
			"(what `foyer tenant rm --force` does; without --force the daemon refuses).")
	}
	return NewForm(env, Spec{
		Title:   "delete " + slug,
		Intro:   intro,
		Confirm: "Delete tenant " + slug + "?",
		Verb:    "delete",
		Submit: func(ctx context.Context, c *api.Client, _ []string) (Outcome, error) {
			if err := c.DeleteTenant(ctx, slug, force); err != nil {
				return Outcome{}, err
			}
			return Outcome{Flash: "tenant " + slug + " deleted"}, nil
		},
	})
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
