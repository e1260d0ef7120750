// Package index is the gateway's query index of trace events: every event
// the chain recorded, in the order the chain recorded it, with secondary
// indexes on the fields GS1's EPCIS 2.0 query parameters name (event type,
// eventTime, recordTime, bizStep, disposition, bizLocation, readPoint, EPCs,
// EPC classes, action, eventID). It lives in the gateway's own Pebble store
// and is written only from blocks whose certificates verified (package
// follow), one batch per block, together with the caller's cursor.
//
// Key layout (one-byte table prefix, big-endian fixed-width numbers, so
// byte order is numeric order):
//
//	'e' seq                      → entry (provenance + canonical event)
//	'i' eventID                  → seq
//	'v' field len(value) value seq → ∅   (field: see the Field constants)
//	't' eventTime seq            → ∅   (eventTime biased to sort signed)
//	'r' recordTime               → first seq of the block with that time
//	'x' tx hash                  → first seq, event count (u64, u32)
//	'm' "seq"                    → next seq
//
// seq numbers events in chain order. Block times strictly increase, so seq
// order is recordTime order and a recordTime range is a seq range.
package index
