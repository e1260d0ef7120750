package procnet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/keyring"
)

// UnlockAdmins opens the testnet keyring in dir and unlocks the demo
// organisations' admin keys with passphrase, in parallel (each unlock runs
// the keyring's slow KDF).
func UnlockAdmins(dir, passphrase string, opts ...keyring.Option) (map[membership.Role]ledger.PrivateKey, error) {
	kr, err := keyring.Open(dir, opts...)
	if err != nil {
		return nil, err
	}
	admins := map[membership.Role]ledger.PrivateKey{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(demo.Founding))
	for _, o := range demo.Founding {
		wg.Add(1)
		go func(role membership.Role) {
			defer wg.Done()
			k, err := kr.Unlock(string(role), []byte(passphrase))
			if err != nil {
				errs <- fmt.Errorf("unlock %s: %w", role, err)
				return
			}
			mu.Lock()
			admins[role] = k
			mu.Unlock()
		}(o.Role)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return admins, nil
}

// ScanLogs counts each node's WARN and ERROR log lines by message, and
// lines of a Go panic or fatal runtime error under "PANIC".
func (c *Net) ScanLogs() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, n := range c.Nodes {
		b, err := os.ReadFile(filepath.Join(n.Home, "node.log"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			level := ""
			switch {
			case strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: "):
				level = "PANIC"
			case strings.Contains(line, "level=WARN "):
				level = "WARN"
			case strings.Contains(line, "level=ERROR "):
				level = "ERROR"
			default:
				continue
			}
			msg := line
			if i := strings.Index(line, "msg="); i >= 0 {
				msg = line[i+4:]
				if strings.HasPrefix(msg, "\"") {
					if j := strings.Index(msg[1:], "\""); j >= 0 {
						msg = msg[1 : j+1]
					}
				} else if j := strings.IndexByte(msg, ' '); j >= 0 {
					msg = msg[:j]
				}
			}
			if out[n.Name] == nil {
				out[n.Name] = map[string]int{}
			}
			out[n.Name][level+" "+msg]++
		}
	}
	return out
}
