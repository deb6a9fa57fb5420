package admin

import "github.com/foyerhq/foyer/appliance/admin/api"

// EventSubscription is one watch stream's feed of the appliance's events
// (Options.Events). The appliance delivers to C without ever blocking:
// when C is full it counts the notice as dropped and says so in the next
// one's Dropped. Close ends the subscription; C is not closed.
type EventSubscription interface {
	C() <-chan api.Notice
	Close()
}

// eventFeed subscribes a watch stream to the events and returns their
// channel and how to end the subscription; a nil channel (never ready)
// when the server has no events.
func (s *Server) eventFeed() (<-chan api.Notice, func()) {
	if s.events == nil {
		return nil, func() {}
	}
	sub := s.events()
	return sub.C(), sub.Close
}
