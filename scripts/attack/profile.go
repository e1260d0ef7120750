package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profiler fetches node0's Go profiles (--pprof) over a connection it
// opened before the attack, so that the attack's connections, which may
// fill node0's connection cap, do not lock it out.
type profiler struct {
	base, dir string
	c         *http.Client
}

func newProfiler(ctx context.Context, base, dir string) *profiler {
	p := &profiler{base: base, dir: dir, c: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, IdleConnTimeout: 10 * time.Minute}}}
	p.fetch(ctx, "/debug/pprof/cmdline", io.Discard) // opens the connection
	return p
}

func (p *profiler) fetch(ctx context.Context, path string, w io.Writer) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	resp, err := p.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// capture saves node0's heap profile and a 10 s CPU profile as
// DIR/node0-NAME-heap.pprof and -cpu.pprof (go tool pprof reads them).
func (p *profiler) capture(ctx context.Context, name string, logf func(string, ...any)) {
	for _, prof := range []struct{ path, file string }{
		{"/debug/pprof/heap", "heap"}, {"/debug/pprof/profile?seconds=10", "cpu"},
	} {
		file := filepath.Join(p.dir, "node0-"+name+"-"+prof.file+".pprof")
		f, err := os.Create(file)
		if err != nil {
			logf("profile: %v", err)
			continue
		}
		if err := p.fetch(ctx, prof.path, f); err != nil {
			logf("profile %s: %v", prof.path, err)
		} else {
			logf("saved %s", file)
		}
		f.Close()
	}
}
