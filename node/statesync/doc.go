// Package statesync lists a node's snapshots to its peers, serves their
// manifests and chunks, and joins a new node from them: it asks its peers
// what they offer, picks a snapshot offered by several, verifies its
// manifest against a header proven from genesis (snapshot.Verify) before it
// asks for any chunk, fetches chunks from several peers at once, checks each
// one as it arrives, penalises a peer that sent one that does not match and
// asks another, and restores (snapshot.Restorer) only what was checked
// (docs/architecture.md, "Snapshots and state sync").
//
// Nothing a peer sends is trusted: the offer's id only groups peers that
// claim to serve the same chunks; what counts is the manifest's proof.
package statesync
