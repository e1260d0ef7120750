package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/qianchain/qianchain/ledger/snapshot"
)

// The control socket: a Unix socket in the data directory through which
// commands on the same machine ask the running node for what only the
// process holding the store can do (qian backup: a consistent checkpoint).
// and qian snapshot create: a snapshot of the state, consistent while the
// node commits). It is not on the network: who may use it is who may open the home's data
// directory (mode 0700 by qian init), the file system's rule, the same
// people who could read the store anyway.
const ControlSocketName = "control.sock"

// maxSocketPath is what fits in sockaddr_un's sun_path on Linux (108 bytes
// with the terminating zero).
const maxSocketPath = 107

// ErrNoControl: no node answers on the home's control socket (it is not
// running, or its home is too deep for a socket path).
var ErrNoControl = errors.New("no running node answers on the control socket")

// CheckpointReply is the node's answer to a checkpoint request.
type CheckpointReply struct {
	Dir    string `json:"dir"`    // the checkpoint, in the data directory; the caller removes it
	Height uint64 `json:"height"` // the last block it holds
}

// listenControl serves the control socket until Stop. A socket file left by
// a node that crashed is replaced: the store's lock, taken before, proves no
// other node runs on this home.
func (n *Node) listenControl() error {
	data := n.cfg.Paths().DataDir()
	path := filepath.Join(data, ControlSocketName)
	if len(path) > maxSocketPath {
		n.log.Warn("no control socket: the home's path is too long for one; qian backup needs the node stopped", "path", path)
		return nil
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkpoint", func(w http.ResponseWriter, r *http.Request) {
		dir := filepath.Join(data, "backup-"+strconv.FormatInt(time.Now().UnixNano(), 36))
		h, err := n.Store.Checkpoint(dir)
		if err != nil {
			_ = os.RemoveAll(dir)
			n.log.Error("checkpoint for a backup failed", "err", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		n.log.Info("checkpoint for a backup", "dir", dir, "height", h)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(CheckpointReply{Dir: dir, Height: h})
	})
	mux.HandleFunc("POST /snapshot", n.controlSnapshot)
	n.control = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.control.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("control socket stopped", "err", err)
		}
		_ = os.Remove(path)
	}()
	return nil
}

// RequestCheckpoint asks the node running on the home whose data directory
// is data for a checkpoint of its store; ErrNoControl when none answers.
func RequestCheckpoint(ctx context.Context, data string) (*CheckpointReply, error) {
	path := filepath.Join(data, ControlSocketName)
	if _, err := os.Stat(path); err != nil {
		return nil, ErrNoControl
	}
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://node/checkpoint", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, ErrNoControl // a socket file a crashed node left
		}
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b [512]byte
		k, _ := resp.Body.Read(b[:])
		return nil, fmt.Errorf("the node could not make a checkpoint: %s", b[:k])
	}
	var r CheckpointReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return &r, nil
}

// SnapshotReply is the node's answer to a snapshot request.
type SnapshotReply struct {
	Path   string `json:"path"`   // the snapshot file, in the data directory; the caller moves it away
	Height uint64 `json:"height"` // the height whose state it holds
	Proven bool   `json:"proven"` // its proof (header Height+1) is attached
}

// controlSnapshot writes a snapshot of the state after the tip into the
// data directory and, once the node has stored the next header (or the
// request's context ends), attaches its proof.
func (n *Node) controlSnapshot(w http.ResponseWriter, r *http.Request) {
	v, err := n.Store.StateView()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := v.Height
	path := filepath.Join(n.cfg.Paths().DataDir(), "snapshot-"+strconv.FormatInt(time.Now().UnixNano(), 36)+snapExt)
	proven, err := writeSnapshot(n.Store, v, path, snapshot.Options{ChunkSize: n.cfg.StateSync.ChunkSize, Stop: n.ctx.Done()})
	v.Close()
	if err != nil {
		n.log.Error("snapshot for qian snapshot create failed", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for !proven && n.Store.Height() <= h && r.Context().Err() == nil {
		select {
		case <-r.Context().Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	if !proven && n.Store.Height() > h {
		p, err := snapshot.BuildProof(n.Store, h)
		if err == nil {
			err = snapshot.AttachProof(path, p)
		}
		if err != nil {
			_ = os.Remove(path)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		proven = true
	}
	n.log.Info("snapshot for qian snapshot create", "file", path, "height", h, "proven", proven)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(SnapshotReply{Path: path, Height: h, Proven: proven})
}

// RequestSnapshot asks the node running on the home whose data directory
// is data for a snapshot of its state; ErrNoControl when none answers. The
// node waits for the next header to attach the proof until ctx ends.
func RequestSnapshot(ctx context.Context, data string) (*SnapshotReply, error) {
	var r SnapshotReply
	if err := controlPost(ctx, data, "/snapshot", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// controlPost posts to the control socket of the node whose data directory
// is data and decodes its JSON answer into out.
func controlPost(ctx context.Context, data, route string, out any) error {
	path := filepath.Join(data, ControlSocketName)
	if _, err := os.Stat(path); err != nil {
		return ErrNoControl
	}
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://node"+route, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return ErrNoControl // a socket file a crashed node left
		}
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b [512]byte
		k, _ := resp.Body.Read(b[:])
		return fmt.Errorf("the node refused (%s): %s", route, b[:k])
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	return nil
}
