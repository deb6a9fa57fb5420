package store

// PoolTx is the part of Tx for pools' balancing and health settings and
// for draining backends (the traffic issue).
type PoolTx interface{}
