package store

import (
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
)

// eventListener reports Pebble's background work to log: flushes and
// compactions at debug level, since they are routine but are what an
// operator looks for when commits slow down for a second or two; write
// stalls at warn level, since while one lasts no block can be committed.
func eventListener(log *slog.Logger) *pebble.EventListener {
	return &pebble.EventListener{
		FlushEnd: func(i pebble.FlushInfo) {
			if emptyFlush(i) {
				log.Debug("flushed a memtable into no table", "in_bytes", i.InputBytes, "took", i.TotalDuration)
				return
			}
			if i.Err != nil {
				log.Warn("flush failed", "err", i.Err)
				return
			}
			var out uint64
			for _, t := range i.Output {
				out += t.Size
			}
			log.Debug("flushed a memtable", "in_bytes", i.InputBytes, "tables", len(i.Output),
				"out_bytes", out, "took", i.TotalDuration)
		},
		CompactionEnd: func(i pebble.CompactionInfo) {
			if i.Err != nil {
				log.Warn("compaction failed", "err", i.Err)
				return
			}
			log.Debug("compacted", "reason", i.Reason, "took", i.TotalDuration, "info", i.String())
		},
		WriteStallBegin: func(i pebble.WriteStallBeginInfo) {
			log.Warn("writes stalled", "reason", i.Reason)
		},
		WriteStallEnd: func() {
			log.Warn("writes resumed")
		},
	}
}

// emptyFlush reports a flush that succeeded but wrote no table, because
// nothing in the memtable outlived it (a key set and single-deleted in the
// same memtable, say). Pebble passes it to FlushEnd as an error, "pebble:
// empty table", from an unexported variable, so it is known by its text and
// by the flush having no output; nothing failed, and the memtable is gone.
func emptyFlush(i pebble.FlushInfo) bool {
	return i.Err != nil && len(i.Output) == 0 && i.Err.Error() == "pebble: empty table"
}
