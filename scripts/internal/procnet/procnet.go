// Package procnet runs a local Qianchain network as real processes: one
// `qian start` per node home of a testnet, with its log in HOME/node.log,
// killed with the program that runs it. It is the cluster the script
// programs share (scripts/chaos, scripts/attack): starting, signalling and
// stopping nodes, noticing a node that exits on its own, finding free
// ports, unlocking the demo keyring, reading the logs.
package procnet

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

// State is what the program has done to a node's process.
type State int

const (
	Down    State = iota // not running (not started, killed, or exited)
	Running              // running and not stopped
	Stopped              // SIGSTOPped
)

func (s State) String() string {
	return [...]string{"down", "running", "stopped"}[s]
}

// Node is one `qian start` process and its home.
type Node struct {
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
	state    State
	expected bool          // the next exit is one the program caused
	exited   chan struct{} // closed when the current process has exited
	starts   int
	// wiped: the node's data was deleted (Wipe). A validator restarted
	// from nothing syncs, finds its own earlier precommits on the chain
	// and refuses to sign (exit 4, signer_behind: node/signerguard.go);
	// the program then does what docs/operations.md tells its operator,
	// `qian validator signer-advance`, and starts it again.
	wiped bool
}

// exitSignerBehind is qian's exit code for a validator whose signer state
// is behind what the chain shows it signed (cmd/qian/root.go).
const exitSignerBehind = 4

// State returns the process state.
func (n *Node) State() State {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.state
}

// Starts is how many times the node's process has been started.
func (n *Node) Starts() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.starts
}

// PID is the current process's id (0 when down).
func (n *Node) PID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.state == Down || n.cmd == nil || n.cmd.Process == nil {
		return 0
	}
	return n.cmd.Process.Pid
}

// Net is a network of node processes: their homes, the genesis, and the
// crashes seen (a node exiting on its own).
type Net struct {
	Dir     string
	Bin     string
	Doc     *genesis.Doc
	Vals    *ledger.ValidatorSet
	Nodes   []*Node
	Logf    func(format string, args ...any)
	crashMu sync.Mutex
	crashes []string
}

// Open reads the testnet in dir (as `qian testnet` or localnet.CreateTestnet
// wrote it): its genesis and the homes of its validators, in genesis order,
// then of the named observers. bin is the qian binary that runs them. It
// returns each node's configuration too, for the caller to adjust and
// write back (WriteConfig) before starting the nodes.
func Open(dir, bin string, observers []string, logf func(string, ...any)) (*Net, []*config.Config, error) {
	c := &Net{Dir: dir, Bin: bin, Logf: logf}
	var err error
	if c.Doc, err = genesis.Load(filepath.Join(dir, config.GenesisFileName)); err != nil {
		return nil, nil, err
	}
	if c.Vals, err = c.Doc.ValidatorSet(); err != nil {
		return nil, nil, err
	}
	homes := []string{}
	for i := range c.Doc.Validators {
		homes = append(homes, filepath.Join(dir, c.Doc.Validators[i].Name))
	}
	for _, o := range observers {
		homes = append(homes, filepath.Join(dir, o))
	}
	cfgs := make([]*config.Config, len(homes))
	for i, h := range homes {
		cfg, err := config.Load(h, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", h, err)
		}
		cfgs[i] = cfg
		port, err := TCPPort(cfg.P2P.Listen)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", h, err)
		}
		n := &Node{Index: i, Name: filepath.Base(h), Validator: i < len(c.Doc.Validators), Home: h,
			HTTPURL: "http://" + cfg.HTTP.Listen, P2PAddr: "127.0.0.1:" + strconv.Itoa(port)}
		if i < len(c.Doc.Validators) {
			n.PeerID = c.Doc.Validators[i].PeerID
		}
		n.API = client.New(n.HTTPURL)
		n.API.HTTP.Timeout = 5 * time.Second
		// Enough idle connections for load workers, so that a load does not
		// churn through ephemeral ports.
		n.API.HTTP.Transport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second,
			DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}
		c.Nodes = append(c.Nodes, n)
	}
	return c, cfgs, nil
}

// WriteConfig validates cfg and writes it as its home's config.toml.
func WriteConfig(cfg *config.Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%s: %w", cfg.Home, err)
	}
	return WriteFileAtomic(cfg.Paths().ConfigFile(), cfg.Render())
}

// ChildEnv is this process's environment without QIAN_* variables, so that
// nothing overrides the config files the program wrote.
func ChildEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QIAN_") {
			env = append(env, kv)
		}
	}
	return env
}

// TCPPort is the port of the first TCP multiaddr of listen.
func TCPPort(listen []string) (int, error) {
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

// WriteFileAtomic writes b to path through a temporary file and a rename.
func WriteFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// FreeBasePort finds a base port P such that P+10i and P+10i+1 (TCP, and
// UDP for QUIC) are free for n nodes. It looks below the kernel's ephemeral
// range, so that no outgoing connection takes a node's port while the node
// is down.
func FreeBasePort(n int) (int, error) {
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
// HOME/node.log. A process that exits without the program causing it is
// recorded as a crash.
func (c *Net) Start(i int) error {
	n := c.Nodes[i]
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.state != Down {
		return fmt.Errorf("%s is already running", n.Name)
	}
	logf, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "\n==== start %d at %s ====\n", n.starts+1, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(c.Bin, "start", "--home", n.Home)
	cmd.Env = ChildEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	// The node dies with the program, however the program ends; in a
	// process group of its own, a Ctrl-C at the terminal reaches the
	// program only, which then ends the nodes itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", n.Name, err)
	}
	n.cmd, n.state, n.expected, n.exited = cmd, Running, false, make(chan struct{})
	n.starts++
	exited := n.exited
	go func() {
		err := cmd.Wait()
		logf.Close()
		n.mu.Lock()
		expected := n.expected
		if n.cmd == cmd {
			n.state = Down
		}
		advance := !expected && n.wiped && cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == exitSignerBehind
		if advance {
			n.wiped = false
		}
		n.mu.Unlock()
		close(exited)
		if advance {
			c.Logf("%s: wiped, it synced and refused to sign (signer_behind); qian validator signer-advance, then start again", n.Name)
			out, err := exec.Command(c.Bin, "validator", "signer-advance", "--home", n.Home).CombinedOutput()
			if err != nil {
				c.crash(fmt.Sprintf("%s: qian validator signer-advance: %v: %s", n.Name, err, out))
				return
			}
			if err := c.Start(i); err != nil {
				c.crash(fmt.Sprintf("%s: start after signer-advance: %v", n.Name, err))
			}
			return
		}
		if !expected {
			c.crash(fmt.Sprintf("%s exited on its own (%v); log tail:\n%s", n.Name, err, LogTail(n.Home, 40)))
		}
	}()
	return nil
}

func (c *Net) crash(s string) {
	c.crashMu.Lock()
	c.crashes = append(c.crashes, s)
	c.crashMu.Unlock()
	c.Logf("VIOLATION: %s", s)
}

// Crashes returns the processes that exited on their own.
func (c *Net) Crashes() []string {
	c.crashMu.Lock()
	defer c.crashMu.Unlock()
	return append([]string(nil), c.crashes...)
}

// Signal sends sig to node i's process. For SIGKILL and SIGTERM it waits
// for the exit (up to timeout; then SIGKILL) and returns the exit code (-1
// when killed by a signal).
func (c *Net) Signal(i int, sig syscall.Signal, timeout time.Duration) (int, error) {
	n := c.Nodes[i]
	n.mu.Lock()
	cmd, state, exited := n.cmd, n.state, n.exited
	switch sig {
	case syscall.SIGKILL, syscall.SIGTERM:
		n.expected = true
	}
	n.mu.Unlock()
	if state == Down || cmd == nil {
		return 0, fmt.Errorf("%s is not running", n.Name)
	}
	if sig == syscall.SIGTERM && state == Stopped {
		_ = cmd.Process.Signal(syscall.SIGCONT)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		return 0, fmt.Errorf("signal %s: %w", n.Name, err)
	}
	switch sig {
	case syscall.SIGSTOP:
		n.mu.Lock()
		n.state = Stopped
		n.mu.Unlock()
		return 0, nil
	case syscall.SIGCONT:
		n.mu.Lock()
		n.state = Running
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
func (c *Net) Wipe(i int) error {
	n := c.Nodes[i]
	if n.State() != Down {
		return fmt.Errorf("wipe %s: still running", n.Name)
	}
	if err := os.RemoveAll(config.Paths{Home: n.Home}.DataDir()); err != nil {
		return err
	}
	n.mu.Lock()
	n.wiped = true
	n.mu.Unlock()
	return nil
}

// StopAll ends every process: SIGCONT for stopped ones, SIGTERM, then
// SIGKILL after 15 s. It returns the exit codes by node name.
func (c *Net) StopAll() map[string]int {
	codes := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, n := range c.Nodes {
		if n.State() == Down {
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
func (c *Net) KillAll() {
	for i, n := range c.Nodes {
		if n.State() != Down {
			_, _ = c.Signal(i, syscall.SIGKILL, 10*time.Second)
		}
	}
}

// LogTail returns the last lines of a node's log.
func LogTail(home string, lines int) string {
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

// Validators returns the indexes of the validator nodes.
func (c *Net) Validators() []int {
	var out []int
	for _, n := range c.Nodes {
		if n.Validator {
			out = append(out, n.Index)
		}
	}
	return out
}

// Quorum is the number of validators whose agreement commits a block
// (equal power: more than two thirds).
func (c *Net) Quorum() int {
	v := len(c.Validators())
	return v*2/3 + 1
}
