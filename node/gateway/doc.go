// Package gateway is an organisation's EPCIS 2.0 gateway: the one place
// that holds the organisation's signing key and speaks GS1's EPCIS 2.0 REST
// bindings to its own systems (warehouse, ERP, packing lines). Captured
// documents become signed trace.capture and trace.capture_batch
// transactions; queries are answered from the chain, through an index the
// gateway builds from blocks it verified itself (package follow: each
// block's commit certificate against genesis, its results against the next
// certified header), so it trusts no node. A gateway never votes, and its
// key never leaves the process.
//
// Parts, each in its own file:
//
//   - rest*.go: the REST bindings (discovery, capture, events, top-level
//     resources, named queries, subscriptions), every answer with the GS1
//     version headers and every error in GS1's problem shape (problem.go);
//   - auth.go: API keys or mutual TLS; anything else is 401;
//   - prepare.go, capture.go, job.go: capture jobs, durable in the
//     gateway's Pebble store (store.go) so that a restart mid-capture
//     neither loses nor duplicates an event;
//   - gateway.go: the block loop that indexes each verified block
//     (package index) and records the jobs' outcomes in one synced batch;
//   - subscribe.go: webhook subscriptions to named queries, delivered from
//     the index with a durable cursor (at least once).
//
// Concurrency: the block fetcher (the only caller of the follower), the
// indexer, the capture worker and the subscription deliverer each own one
// goroutine (Run starts them); HTTP handlers run on net/http's. captures.mu orders job changes between the handlers, the
// worker and the block loop.
//
// docs/gateway.md is the operator's manual and the coverage table against
// GS1's OpenAPI description.
package gateway
