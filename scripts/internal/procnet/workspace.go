package procnet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// Logger returns the log function of a run that began at start: each line
// goes to out after the seconds since start and the UTC time of day.
func Logger(out io.Writer, start time.Time) func(format string, args ...any) {
	return func(format string, args ...any) {
		now := time.Now()
		fmt.Fprintf(out, "[%6.1fs %s] %s\n", now.Sub(start).Seconds(), now.UTC().Format("15:04:05.0"), fmt.Sprintf(format, args...))
	}
}

// Workspace is a run's work directory: the qian binary it builds, and the
// node homes and logs under net/.
type Workspace struct {
	Dir  string
	temp bool // made by OpenWorkspace: removed after a clean run unless kept
}

// OpenWorkspace uses dir, created if need be, or a new temporary directory
// whose name starts with prefix when dir is "", and logs which.
func OpenWorkspace(dir, prefix string, logf func(string, ...any)) (*Workspace, error) {
	w := &Workspace{Dir: dir}
	if dir == "" {
		d, err := os.MkdirTemp("", prefix)
		if err != nil {
			return nil, err
		}
		w.Dir, w.temp = d, true
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	logf("work directory %s (node homes and logs under net/)", w.Dir)
	return w, nil
}

// Qian returns bin, or, when bin is "", builds ./cmd/qian into the
// workspace (BuildQian) and returns that.
func (w *Workspace) Qian(ctx context.Context, bin string, logf func(string, ...any)) (string, error) {
	if bin != "" {
		return bin, nil
	}
	logf("building qian")
	return BuildQian(ctx, w.Dir)
}

// Finish ends a run: it writes sum as indented JSON to jsonPath unless that
// is "" (an error there ends Finish, the directory kept), then removes a
// temporary workspace after a clean run that is not to be kept, or says on
// out where the node homes and logs are.
func (w *Workspace) Finish(out io.Writer, sum any, jsonPath string, clean, keep bool) error {
	if jsonPath != "" {
		b, _ := json.MarshalIndent(sum, "", "  ")
		if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if clean && !keep && w.temp {
		os.RemoveAll(w.Dir)
	} else {
		fmt.Fprintf(out, "node homes and logs kept in %s\n", filepath.Join(w.Dir, "net"))
	}
	return nil
}

// Main runs run, a script program's run, with a context that SIGINT and
// SIGTERM cancel, and exits with status 2 when the run could not be carried
// out (its error printed after name on standard error) and 1 when it found
// something wrong; otherwise it returns.
func Main(name string, run func(ctx context.Context) (wrong bool, err error)) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	wrong, err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(2)
	}
	if wrong {
		os.Exit(1)
	}
}
