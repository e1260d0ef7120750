package node

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/qianchain/qianchain/ledger/snapshot"
	"github.com/qianchain/qianchain/ledger/store"
)

// Periodic snapshots (config statesync.snapshot_interval and
// snapshot_keep): after storing a height that is a multiple of the
// interval, the commit path opens a view of the state (store.StateView, a
// Pebble snapshot: cheap, and exactly that height) and hands it to one
// background goroutine, which writes the file while the node keeps
// committing. A snapshot is proven by header H+1, which does not exist when
// it is made: the file waits as H.qsnap.unproven until the node has stored
// H+1, then gets its proof (snapshot.AttachProof) and its final name
// H.qsnap. Only final files are listed, so only proven snapshots are ever
// handed out. The SnapshotKeep newest are kept.
//
// File names are the height in 20 digits, so the directory's order is the
// heights' order.
//
// A node catching up (block sync) skips the snapshot of a height h when
// the height it is syncing to is at least h + interval: before it reaches
// that target it will store a later multiple of the interval, whose
// snapshot supersedes h's, so writing h's would be wasted work and disk.
// The snapshot of the last multiple below the target is made as usual.
// The first skip of a catch-up is logged.

// SnapshotsDirName is the directory, in the data directory, of the node's
// snapshots.
const SnapshotsDirName = "snapshots"

const (
	snapExt        = ".qsnap"
	snapUnproven   = ".qsnap.unproven"
	snapInProgress = ".qsnap.tmp"
)

// SnapshotFile is one proven snapshot the node holds.
type SnapshotFile struct {
	Height uint64
	Path   string
}

type snapshotter struct {
	st       *store.Store
	dir      string
	interval uint64
	keep     int
	chunk    int // bytes; 0: the default
	log      *slog.Logger
	views    chan *store.StateView // a view opened where a height was stored
	tip      chan struct{}         // a block was stored: proofs may be due

	// target is the height block sync is catching up to, 0 when the node
	// is not block-syncing (catchUp); skipping is set once a snapshot of
	// this catch-up was skipped (and logged). Atomic: block sync sets
	// them, the commit path reads them.
	target   atomic.Uint64
	skipping atomic.Bool
}

// catchUp records the height block sync is catching up to; 0 when it is
// done. Called by block sync before it fetches and as it applies.
func (s *snapshotter) catchUp(target uint64) {
	if s == nil {
		return
	}
	s.target.Store(target)
	if target == 0 {
		s.skipping.Store(false)
	}
}

// behind reports whether a snapshot of h would be superseded before the
// node catches up (see the comment at the top of this file).
func (s *snapshotter) behind(h uint64) bool {
	t := s.target.Load()
	if t < h+s.interval {
		return false
	}
	if !s.skipping.Swap(true) {
		s.log.Info("periodic snapshots skipped while catching up: block sync stores a later multiple of the interval before its target",
			"height", h, "target", t, "interval", s.interval)
	}
	return true
}

func newSnapshotter(st *store.Store, dir string, interval uint64, keep int, log *slog.Logger) *snapshotter {
	if keep < 1 {
		keep = 1
	}
	return &snapshotter{st: st, dir: dir, interval: interval, keep: keep, log: log,
		views: make(chan *store.StateView, 1), tip: make(chan struct{}, 1)}
}

// stored runs in the commit path after height h is stored: it only opens a
// view and signals, never writes.
func (s *snapshotter) stored(h uint64) {
	if s == nil {
		return
	}
	if s.interval > 0 && h%s.interval == 0 && !s.behind(h) {
		v, err := s.st.StateView()
		switch {
		case err != nil:
			s.log.Error("snapshot skipped: no view of the state", "height", h, "err", err)
		case v.Height != h:
			v.Close() // cannot happen from the commit path; never snapshot another height under h's name
		default:
			select {
			case s.views <- v:
			default:
				v.Close()
				s.log.Warn("snapshot skipped: the previous one is still being written", "height", h)
			}
		}
	}
	select {
	case s.tip <- struct{}{}:
	default:
	}
}

// run writes the snapshots stored hands over and attaches their proofs,
// until done.
func (s *snapshotter) run(done <-chan struct{}) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		s.log.Error("no periodic snapshots: cannot make their directory", "dir", s.dir, "err", err)
		return
	}
	pending := s.recover()
	for {
		select {
		case <-done:
			select {
			case v := <-s.views:
				v.Close()
			default:
			}
			return
		case v := <-s.views:
			h := v.Height
			proven, err := s.write(v, done)
			v.Close()
			if errors.Is(err, snapshot.ErrStopped) {
				return
			}
			if err != nil {
				s.log.Error("snapshot failed", "height", h, "err", err)
			} else if !proven {
				pending = append(pending, h)
			}
		case <-s.tip:
		}
		pending = s.prove(pending)
	}
}

// recover removes a file a stopped write left and returns the heights of
// snapshots still waiting for their proof.
func (s *snapshotter) recover() []uint64 {
	ents, _ := os.ReadDir(s.dir)
	var pending []uint64
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, snapInProgress):
			_ = os.Remove(filepath.Join(s.dir, name))
		case strings.HasSuffix(name, snapUnproven):
			if h, err := strconv.ParseUint(strings.TrimSuffix(name, snapUnproven), 10, 64); err == nil {
				pending = append(pending, h)
			}
		}
	}
	return pending
}

func (s *snapshotter) path(h uint64, ext string) string {
	return filepath.Join(s.dir, fmt.Sprintf("%020d%s", h, ext))
}

// write writes the snapshot of v and reports whether it carries its proof
// (the node stored H+1 meanwhile).
func (s *snapshotter) write(v *store.StateView, done <-chan struct{}) (bool, error) {
	h := v.Height
	tmp := s.path(h, snapInProgress)
	proven, err := writeSnapshot(s.st, v, tmp, snapshot.Options{ChunkSize: s.chunk, Stop: done})
	if err != nil {
		return false, err
	}
	final := s.path(h, snapUnproven)
	if proven {
		final = s.path(h, snapExt)
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return false, err
	}
	s.log.Info("snapshot written", "height", h, "file", final, "proven", proven)
	if proven {
		s.trim()
	}
	return proven, nil
}

// writeSnapshot writes the snapshot of v to path (synced) and reports
// whether it carries its proof; on error nothing is left at path.
func writeSnapshot(st *store.Store, v *store.StateView, path string, opt snapshot.Options) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return false, err
	}
	_, err = snapshot.CreateView(st, v, f, opt)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return false, err
	}
	sf, err := snapshot.OpenFile(path)
	if err != nil {
		_ = os.Remove(path)
		return false, err
	}
	defer sf.Close()
	return sf.Proof != nil, nil
}

// prove attaches the proof of every pending snapshot whose next header the
// node holds and returns those still waiting.
func (s *snapshotter) prove(pending []uint64) []uint64 {
	left := pending[:0]
	proved := false
	for _, h := range pending {
		if s.st.Height() <= h {
			left = append(left, h)
			continue
		}
		if err := proveFile(s.st, h, s.path(h, snapUnproven), s.path(h, snapExt)); err != nil {
			s.log.Error("snapshot proof failed; the snapshot is dropped", "height", h, "err", err)
			_ = os.Remove(s.path(h, snapUnproven))
			continue
		}
		s.log.Info("snapshot proven", "height", h, "file", s.path(h, snapExt))
		proved = true
	}
	if proved {
		s.trim()
	}
	return left
}

// proveFile attaches the proof of the snapshot of h at from and renames it
// to to.
func proveFile(st *store.Store, h uint64, from, to string) error {
	p, err := snapshot.BuildProof(st, h)
	if err != nil {
		return err
	}
	if err := snapshot.AttachProof(from, p); err != nil {
		return err
	}
	return os.Rename(from, to)
}

// trim removes the proven snapshots beyond the keep newest, and unproven
// ones older than the newest proven one.
func (s *snapshotter) trim() {
	list := listSnapshots(s.dir)
	if len(list) == 0 {
		return
	}
	for _, f := range list[:max(len(list)-s.keep, 0)] {
		if err := os.Remove(f.Path); err == nil {
			s.log.Info("snapshot removed", "height", f.Height)
		}
	}
	newest := list[len(list)-1].Height
	ents, _ := os.ReadDir(s.dir)
	for _, e := range ents {
		if h, err := strconv.ParseUint(strings.TrimSuffix(e.Name(), snapUnproven), 10, 64); err == nil && strings.HasSuffix(e.Name(), snapUnproven) && h < newest {
			_ = os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}

// listSnapshots returns the proven snapshots in dir, oldest first.
func listSnapshots(dir string) []SnapshotFile {
	ents, _ := os.ReadDir(dir)
	var out []SnapshotFile
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, snapExt) {
			continue
		}
		h, err := strconv.ParseUint(strings.TrimSuffix(name, snapExt), 10, 64)
		if err != nil {
			continue
		}
		out = append(out, SnapshotFile{Height: h, Path: filepath.Join(dir, name)})
	}
	slices.SortFunc(out, func(a, b SnapshotFile) int { return cmp.Compare(a.Height, b.Height) })
	return out
}

// Snapshots lists the proven snapshots the node holds, oldest first.
func (n *Node) Snapshots() []SnapshotFile {
	return listSnapshots(filepath.Join(n.cfg.Paths().DataDir(), SnapshotsDirName))
}

// snapshotPaths lists the files node/statesync offers to peers: the proven
// snapshots, oldest first.
func (n *Node) snapshotPaths() []string {
	var out []string
	for _, f := range n.Snapshots() {
		out = append(out, f.Path)
	}
	return out
}
