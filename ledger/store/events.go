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
