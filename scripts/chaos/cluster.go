package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/config"
)

// procState is what the orchestrator has done to a node's process.
type procState int

const (
	procDown    procState = iota // not running (not started, killed, or exited)
	procRunning                  // running and not stopped
	procStopped                  // SIGSTOPped
)

func (s procState) String() string {
	return [...]string{"down", "running", "stopped"}[s]
}

// node is one `qian start` process and its home.
type node struct {
	Index     int
	Name      string
	Validator bool
	Home      string
	HTTPURL   string
	P2PAddr   string // host:port of the node's own libp2p TCP listener
	PeerID    peer.ID
	API       *client.Client

	mu       sync.Mutex
	cmd      *exec.Cmd
	state    procState
	expected bool          // the next exit is one the orchestrator caused
	exited   chan struct{} // closed when the current process has exited
	starts   int
}

// State returns the process state.
func (n *node) State() procState {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.state
}

// Starts is how many times the node's process has been started.
func (n *node) Starts() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.starts
}

// cluster is the network under test: its nodes, the proxies between them,
// the genesis, and the crashes seen (a node exiting on its own).
type cluster struct {
	Dir     string
	Bin     string
	Doc     *genesis.Doc
	Chain   ledger.ChainIdentity // Doc's: what every validator signature covers
	Vals    *ledger.ValidatorSet
	Nodes   []*node
	Fabric  *fabric
	Logf    func(format string, args ...any)
	crashMu sync.Mutex
	crashes []string
}

// Passphrase seals the throwaway demo keyring of a chaos testnet.
const chaosPassphrase = "chaos-passphrase"

// newCluster writes a testnet with `qian testnet` into dir (4 validators
// and an observer on a free base port), starts a proxy for every directed
// pair that dials, and rewrites each node's p2p.peers to reach its peers
// through the proxies, over TCP only.
func newCluster(ctx context.Context, bin, dir, logLevel string, logf func(string, ...any)) (*cluster, error) {
	base, err := freeBasePort(5)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "net")
	cmd := exec.CommandContext(ctx, bin, "testnet", "--out", out, "--validators", "4", "--observers", "1", "--base-port", strconv.Itoa(base))
	cmd.Env = append(childEnv(), "QIAN_PASSPHRASE="+chaosPassphrase)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("qian testnet: %v\n%s", err, b)
	}
	c := &cluster{Dir: out, Bin: bin, Logf: logf}
	if c.Doc, err = genesis.Load(filepath.Join(out, config.GenesisFileName)); err != nil {
		return nil, err
	}
	c.Chain = c.Doc.Identity()
	if c.Vals, err = c.Doc.ValidatorSet(); err != nil {
		return nil, err
	}
	// The homes, validators first (as in genesis), then the observer.
	homes := []string{}
	for i := range c.Doc.Validators {
		homes = append(homes, filepath.Join(out, c.Doc.Validators[i].Name))
	}
	homes = append(homes, filepath.Join(out, "observer"))
	cfgs := make([]*config.Config, len(homes))
	byPort := map[int]int{}
	for i, h := range homes {
		cfg, err := config.Load(h, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h, err)
		}
		cfgs[i] = cfg
		port, err := tcpPort(cfg.P2P.Listen)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", h, err)
		}
		n := &node{Index: i, Name: filepath.Base(h), Validator: i < len(c.Doc.Validators), Home: h,
			HTTPURL: "http://" + cfg.HTTP.Listen, P2PAddr: "127.0.0.1:" + strconv.Itoa(port)}
		n.API = client.New(n.HTTPURL)
		n.API.HTTP.Timeout = 5 * time.Second
		// Enough idle connections for the load workers, so that the load
		// does not churn through ephemeral ports.
		n.API.HTTP.Transport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second,
			DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}
		c.Nodes = append(c.Nodes, n)
		byPort[port] = i
	}
	// Every configured peer address names its node by port and peer id.
	type dial struct {
		from, to int
	}
	var dials []dial
	for i, cfg := range cfgs {
		for _, s := range cfg.P2P.Peers {
			a, err := ma.NewMultiaddr(s)
			if err != nil {
				return nil, err
			}
			info, err := peer.AddrInfoFromP2pAddr(a)
			if err != nil {
				return nil, err
			}
			ps, err := a.ValueForProtocol(ma.P_TCP)
			if err != nil {
				continue // QUIC: dropped below
			}
			p, _ := strconv.Atoi(ps)
			j, ok := byPort[p]
			if !ok {
				return nil, fmt.Errorf("%s: peer %s is not a node of the testnet", c.Nodes[i].Name, s)
			}
			c.Nodes[j].PeerID = info.ID
			dials = append(dials, dial{i, j})
		}
	}
	avoid := map[int]bool{}
	for p := base; p < base+10*len(homes); p++ {
		avoid[p] = true
	}
	c.Fabric = &fabric{links: map[[2]int]*link{}}
	for _, d := range dials {
		l, err := newLink(d.from, d.to, c.Nodes[d.to].P2PAddr, avoid)
		if err != nil {
			c.Fabric.close()
			return nil, err
		}
		c.Fabric.links[[2]int{d.from, d.to}] = l
	}
	for i, cfg := range cfgs {
		peers := []string{}
		for _, d := range dials {
			if d.from == i {
				l := c.Fabric.links[[2]int{d.from, d.to}]
				peers = append(peers, config.TCPAddr("127.0.0.1", l.Addr().Port)+"/p2p/"+c.Nodes[d.to].PeerID.String())
			}
		}
		sort.Strings(peers)
		cfg.P2P.Peers = peers
		if logLevel != "" {
			cfg.Log.Level = logLevel
		}
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Nodes[i].Name, err)
		}
		if err := writeFileAtomic(cfg.Paths().ConfigFile(), cfg.Render()); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// childEnv is this process's environment without QIAN_* variables, so that
// nothing overrides the config files the orchestrator wrote.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QIAN_") {
			env = append(env, kv)
		}
	}
	return env
}

func tcpPort(listen []string) (int, error) {
	for _, s := range listen {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return 0, err
		}
		if p, err := a.ValueForProtocol(ma.P_TCP); err == nil {
			return strconv.Atoi(p)
		}
	}
	return 0, errors.New("no TCP listen address")
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// freeBasePort finds a base port P such that P+10i and P+10i+1 (TCP, and
// UDP for QUIC) are free for n nodes. It looks below the kernel's ephemeral
// range, so that no outgoing connection takes a node's port while the node
// is down.
func freeBasePort(n int) (int, error) {
	lo, hi := 20000, 32000
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil && v > lo+1000 {
				hi = min(hi, v)
			}
		}
	}
	slots := (hi - lo - 10*n) / 10
	first := int(time.Now().UnixNano() % int64(slots))
	for k := 0; k < slots; k++ {
		p := lo + 10*((first+k)%slots)
		if portsFree(p, n) {
			return p, nil
		}
	}
	return 0, errors.New("no free range of ports for the testnet")
}

// portsFree reports whether the TCP ports p+10i and p+10i+1 and the UDP
// port p+10i are free for i < n.
func portsFree(p, n int) bool {
	for i := 0; i < n; i++ {
		for _, port := range []int{p + 10*i, p + 10*i + 1} {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				return false
			}
			ln.Close()
		}
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(p+10*i))
		if err != nil {
			return false
		}
		pc.Close()
	}
	return true
}

// Start starts node i's process (`qian start --home HOME`), logging to
// HOME/node.log. A process that exits without the orchestrator causing it
// is recorded as a crash.
func (c *cluster) Start(i int) error {
	n := c.Nodes[i]
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.state != procDown {
		return fmt.Errorf("%s is already running", n.Name)
	}
	logf, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "\n==== chaos: start %d at %s ====\n", n.starts+1, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(c.Bin, "start", "--home", n.Home)
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	// The node dies with the orchestrator, however the orchestrator ends;
	// in a process group of its own, a Ctrl-C at the terminal reaches the
	// orchestrator only, which then ends the nodes itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", n.Name, err)
	}
	n.cmd, n.state, n.expected, n.exited = cmd, procRunning, false, make(chan struct{})
	n.starts++
	exited := n.exited
	go func() {
		err := cmd.Wait()
		logf.Close()
		n.mu.Lock()
		expected := n.expected
		if n.cmd == cmd {
			n.state = procDown
		}
		n.mu.Unlock()
		close(exited)
		if !expected {
			c.crash(fmt.Sprintf("%s exited on its own (%v); log tail:\n%s", n.Name, err, logTail(n.Home, 40)))
		}
	}()
	return nil
}

func (c *cluster) crash(s string) {
	c.crashMu.Lock()
	c.crashes = append(c.crashes, s)
	c.crashMu.Unlock()
	c.Logf("VIOLATION: %s", s)
}

// Crashes returns the processes that exited on their own.
func (c *cluster) Crashes() []string {
	c.crashMu.Lock()
	defer c.crashMu.Unlock()
	return append([]string(nil), c.crashes...)
}

// Signal sends sig to node i's process. For SIGKILL and SIGTERM it waits
// for the exit (up to timeout; then SIGKILL) and returns the exit code (-1
// when killed by a signal).
func (c *cluster) Signal(i int, sig syscall.Signal, timeout time.Duration) (int, error) {
	n := c.Nodes[i]
	n.mu.Lock()
	cmd, state, exited := n.cmd, n.state, n.exited
	switch sig {
	case syscall.SIGKILL, syscall.SIGTERM:
		n.expected = true
	}
	n.mu.Unlock()
	if state == procDown || cmd == nil {
		return 0, fmt.Errorf("%s is not running", n.Name)
	}
	if sig == syscall.SIGTERM && state == procStopped {
		_ = cmd.Process.Signal(syscall.SIGCONT)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		return 0, fmt.Errorf("signal %s: %w", n.Name, err)
	}
	switch sig {
	case syscall.SIGSTOP:
		n.mu.Lock()
		n.state = procStopped
		n.mu.Unlock()
		return 0, nil
	case syscall.SIGCONT:
		n.mu.Lock()
		n.state = procRunning
		n.mu.Unlock()
		return 0, nil
	}
	select {
	case <-exited:
	case <-time.After(timeout):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
	}
	return cmd.ProcessState.ExitCode(), nil
}

// Wipe removes node i's data directory (chain, consensus WAL and signer
// state). The node must be down.
func (c *cluster) Wipe(i int) error {
	n := c.Nodes[i]
	if n.State() != procDown {
		return fmt.Errorf("wipe %s: still running", n.Name)
	}
	return os.RemoveAll(config.Paths{Home: n.Home}.DataDir())
}

// StopAll ends every process: SIGCONT for stopped ones, SIGTERM, then
// SIGKILL after 15 s. It returns the exit codes by node name.
func (c *cluster) StopAll() map[string]int {
	codes := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, n := range c.Nodes {
		if n.State() == procDown {
			continue
		}
		wg.Add(1)
		go func(i int, name string) {
			defer wg.Done()
			code, err := c.Signal(i, syscall.SIGTERM, 15*time.Second)
			if err == nil {
				mu.Lock()
				codes[name] = code
				mu.Unlock()
			}
		}(i, n.Name)
	}
	wg.Wait()
	return codes
}

// KillAll SIGKILLs every process (cleanup after a failure).
func (c *cluster) KillAll() {
	for i, n := range c.Nodes {
		if n.State() != procDown {
			_, _ = c.Signal(i, syscall.SIGKILL, 10*time.Second)
		}
	}
}

// logTail returns the last lines of a node's log.
func logTail(home string, lines int) string {
	b, err := os.ReadFile(filepath.Join(home, "node.log"))
	if err != nil {
		return err.Error()
	}
	s := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(s) > lines {
		s = s[len(s)-lines:]
	}
	return strings.Join(s, "\n")
}

// validators returns the indexes of the validator nodes.
func (c *cluster) validators() []int {
	var out []int
	for _, n := range c.Nodes {
		if n.Validator {
			out = append(out, n.Index)
		}
	}
	return out
}

// quorum is the number of validators whose agreement commits a block
// (equal power: more than two thirds).
func (c *cluster) quorum() int {
	v := len(c.validators())
	return v*2/3 + 1
}
