package balance

// SelectExcept picks one of ups with sel, never one in tried (for a
// retry): it asks sel up to len(ups) times, then takes the first usable
// upstream not tried; nil when every usable one was tried.
func SelectExcept(sel Selector, ups []*Upstream, k Key, tried []*Upstream) *Upstream {
	for range ups {
		u := sel.Select(ups, k)
		if u == nil {
			return nil
		}
		if !contains(tried, u) {
			return u
		}
	}
	for _, u := range ups {
		if !contains(tried, u) && u.usable(0, false) {
			return u
		}
	}
	return nil
}

func contains(us []*Upstream, u *Upstream) bool {
	for _, x := range us {
		if x == u {
			return true
		}
	}
	return false
}
