package procnet

import (
	"strings"
	"sync"
)

// LineWriter hands each complete line written to it to logf (a test's
// t.Log, so that a run's progress shows in `go test -v`). Safe for
// concurrent use.
type LineWriter struct {
	Logf func(args ...any)

	mu  sync.Mutex
	buf []byte
}

func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		w.Logf(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}
