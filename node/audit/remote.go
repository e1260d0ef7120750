package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/api"
)

// Remote reads a running node through its HTTP API: GET /v1/status and GET
// /v1/blocks/{height}/raw. Nothing it answers is trusted; Run checks all
// of it against genesis.
type Remote struct {
	base   string
	client *http.Client
	status *api.StatusResponse
}

// NewRemote returns the source for the node at base (http://host:port).
func NewRemote(base string, client *http.Client) *Remote {
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	return &Remote{base: strings.TrimRight(base, "/"), client: client}
}

func (r *Remote) get(path string, v any) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, r.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("reach the node: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e api.Error
		if json.Unmarshal(body, &e) == nil && e.Code != "" {
			return &NodeError{Path: path, Status: resp.StatusCode, Body: e}
		}
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// NodeError is a node's {code, message} answer to one of Remote's
// requests. ERR_PRUNED (the node does not hold the chain from genesis: it
// joined from a snapshot or prunes) names the archive nodes to audit
// instead (Body.Archive); an audit cannot go on past it.
type NodeError struct {
	Path   string
	Status int
	Body   api.Error
}

func (e *NodeError) Error() string {
	return fmt.Sprintf("GET %s: %s: %s", e.Path, e.Body.Code, e.Body.Message)
}

func (r *Remote) loadStatus() error {
	if r.status != nil {
		return nil
	}
	var st api.StatusResponse
	if err := r.get("/v1/status", &st); err != nil {
		return err
	}
	r.status = &st
	return nil
}

func (r *Remote) GenesisHash() (ledger.Hash, error) {
	if err := r.loadStatus(); err != nil {
		return ledger.Hash{}, err
	}
	return r.status.Genesis, nil
}

// Tip is the node's height when the audit began.
func (r *Remote) Tip() (uint64, error) {
	if err := r.loadStatus(); err != nil {
		return 0, err
	}
	return r.status.Height, nil
}

func (r *Remote) Close() error { return nil }

// Read fetches and decodes one height. Bytes that do not decode are Damage:
// the node served them as its chain.
func (r *Remote) Read(height uint64) (*Stored, error) {
	var raw api.RawBlock
	if err := r.get(fmt.Sprintf("/v1/blocks/%d/raw", height), &raw); err != nil {
		return nil, err
	}
	if raw.Height != height {
		return nil, damaged(height, "the node answered with height %d", raw.Height)
	}
	s := &Stored{AppHash: raw.AppHash, WritesRoot: raw.WritesRoot}
	var err error
	if s.Block, err = ledger.DecodeBlock(raw.Block); err != nil {
		return nil, damaged(height, "block: %v", err)
	}
	if s.Commit, err = ledger.DecodeCommit(raw.Commit); err != nil {
		return nil, damaged(height, "commit: %v", err)
	}
	for _, res := range raw.Results {
		s.Results = append(s.Results, res)
	}
	return s, nil
}
