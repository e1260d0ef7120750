package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/qianchain/qianchain/node/bench"
	"github.com/qianchain/qianchain/node/localnet"
	"github.com/qianchain/qianchain/scripts/internal/procnet"
)

// load is `qian bench` (node/bench's load generator) run as a process of
// its own. In this process its pacing would share a Go scheduler with the
// attack's thousands of goroutines and fall behind the offered rate when
// the attack is busiest; as a process of its own it competes for the cores
// like the nodes do.
type load struct {
	cmd     *exec.Cmd
	started chan struct{} // closed when the timed run begins
	done    chan error    // the process's end
	json    string
}

// startLoad runs `qian bench` offering rate signed transactions per second
// for d over the nodes, node1 first (the bench watches the first node's
// blocks; node0 is attacked), with the testnet's demo keyring.
func startLoad(ctx context.Context, pn *procnet.Net, rate int, d time.Duration, dir string, logf func(string, ...any)) (*load, error) {
	var urls []string
	for _, i := range []int{1, 2, 3, 0} {
		urls = append(urls, pn.Nodes[i].HTTPURL)
	}
	l := &load{started: make(chan struct{}), done: make(chan error, 1), json: filepath.Join(dir, "load.json")}
	l.cmd = exec.CommandContext(ctx, pn.Bin, "bench", "--nodes", strings.Join(urls, ","), "--keyring", filepath.Join(pn.Dir, localnet.KeyringDirName),
		"--rate", strconv.Itoa(rate), "--duration", d.String(), "--kind", bench.KindMixed, "--validators-here", "4", "--json", l.json)
	l.cmd.Env = append(procnet.ChildEnv(), "QIAN_PASSPHRASE="+attackPassphrase)
	l.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := l.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	l.cmd.Stderr = l.cmd.Stdout
	if err := l.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the load: %w", err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		started := false
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			logf("load | %s", line)
			// The bench prints this line just before its timed run.
			if !started && strings.HasPrefix(line, "waiting for the network to settle") {
				started = true
				close(l.started)
			}
		}
		l.done <- l.cmd.Wait()
	}()
	return l, nil
}

// summary reads the bench's summary once the process has ended.
func (l *load) summary() (*bench.Summary, error) {
	b, err := os.ReadFile(l.json)
	if err != nil {
		return nil, err
	}
	var s bench.Summary
	return &s, json.Unmarshal(b, &s)
}
