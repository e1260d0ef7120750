package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gatewayProc runs `qian gateway` as a process of its own, for the farm of
// a process testnet.
type gatewayProc struct {
	t    *testing.T
	pn   *procNet
	home string
	addr string
	key  string
	cmd  *exec.Cmd
}

func newGatewayProc(t *testing.T, pn *procNet) *gatewayProc {
	home := t.TempDir()
	key := "gateway-test-key-0123456789"
	if err := os.WriteFile(filepath.Join(home, "api-keys"), []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "passphrase"), []byte("test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	g := &gatewayProc{t: t, pn: pn, home: home, addr: addr, key: key}
	t.Cleanup(func() { g.kill() })
	return g
}

func (g *gatewayProc) start() {
	g.t.Helper()
	logf, err := os.OpenFile(filepath.Join(g.home, "gateway.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		g.t.Fatal(err)
	}
	g.cmd = exec.Command(g.pn.bin, "gateway", "--home", g.home, "--node", g.pn.tn.Nodes[0].HTTPURL(), "--genesis", g.pn.tn.GenesisFile,
		"--keyring", g.pn.tn.KeyringDir, "--key", "farm", "--passphrase-file", filepath.Join(g.home, "passphrase"),
		"--api-key-file", filepath.Join(g.home, "api-keys"), "--listen", g.addr, "--log-level", "warn")
	g.cmd.Stdout, g.cmd.Stderr = logf, logf
	if err := g.cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, _ := g.do("GET", "/", nil); resp != nil && resp.StatusCode == 200 {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(g.home, "gateway.log"))
			g.t.Fatalf("the gateway did not answer; log:\n%s", tail(log, 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no cleanup of any kind runs.
func (g *gatewayProc) kill() {
	if g.cmd != nil {
		_ = g.cmd.Process.Signal(syscall.SIGKILL)
		_ = g.cmd.Wait()
		g.cmd = nil
	}
}

func (g *gatewayProc) do(method, path string, body []byte) (*http.Response, []byte) {
	req, _ := http.NewRequest(method, "http://"+g.addr+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+g.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type jobView struct {
	Running  bool `json:"running"`
	Success  bool `json:"success"`
	Captured int  `json:"qian:captured"`
	Txs      []struct {
		State string `json:"state"`
	} `json:"qian:transactions"`
}

func (g *gatewayProc) job(loc string) *jobView {
	resp, body := g.do("GET", loc, nil)
	if resp == nil || resp.StatusCode != 200 {
		return nil
	}
	var v jobView
	_ = json.Unmarshal(body, &v)
	return &v
}

// harvestDoc is n commissioning events of the farm, without eventIDs, at
// one site.
func harvestDoc(tag, site string, n int) []byte {
	evs := make([]string, n)
	for i := range evs {
		evs[i] = fmt.Sprintf(`{"type": "ObjectEvent", "eventTime": "2025-03-24T09:30:00+08:00", "eventTimeZoneOffset": "+08:00", "action": "ADD",
 "bizStep": "commissioning", "bizLocation": {"id": %q}, "epcList": [], "quantityList": [{"epcClass": "urn:epc:class:lgtin:6923101.000010.%s%d"}]}`, site, tag, i)
	}
	return []byte(`{"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-03-24T09:35:00+08:00", "epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`)
}

// A gateway killed with SIGKILL in the middle of a capture of several
// transactions (right after answering 202, or once its first transaction
// was sent) finishes the job when started again on the same home, and
// every event is on the chain exactly once.
func TestGatewaySurvivesSIGKILLMidCapture(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four node processes and a gateway process")
	}
	pn := newProcNet(t)
	for i := 0; i < 4; i++ {
		pn.start(i)
	}
	pn.waitHeight(0, 2, 60*time.Second)
	g := newGatewayProc(t, pn)
	const n = 2300 // three transactions
	for k, stopAt := range []string{"accepted", "sent"} {
		site := fmt.Sprintf("urn:epc:id:sgln:6923101.0000%d.0", 5+k)
		g.start()
		resp, body := g.do("POST", "/capture", harvestDoc("K"+stopAt[:1], site, n))
		if resp == nil || resp.StatusCode != 202 {
			t.Fatalf("POST /capture: %v %s", resp, body)
		}
		loc := resp.Header.Get("Location")
		for stopAt == "sent" {
			if v := g.job(loc); v != nil && len(v.Txs) > 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		g.kill()
		g.start()
		if v := g.job(loc); v != nil {
			t.Logf("%s: after the restart the job is running=%v with transactions %+v", stopAt, v.Running, v.Txs)
		}
		deadline := time.Now().Add(120 * time.Second)
		var v *jobView
		for v = g.job(loc); v == nil || v.Running; v = g.job(loc) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the job did not finish after the restart: %+v", stopAt, v)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !v.Success || v.Captured != n {
			t.Fatalf("%s: %+v", stopAt, v)
		}
		lots := map[string]int{}
		path := "/events?perPage=1000&EQ_bizLocation=" + url.QueryEscape(site)
		for path != "" {
			resp, body := g.do("GET", path, nil)
			var d struct {
				Body struct {
					Results struct {
						Results struct {
							Events []struct {
								Quantities []struct {
									Class string `json:"epcClass"`
								} `json:"quantityList"`
							} `json:"eventList"`
						} `json:"resultsBody"`
					} `json:"queryResults"`
				} `json:"epcisBody"`
			}
			if resp == nil || json.Unmarshal(body, &d) != nil {
				t.Fatalf("GET %s: %v %s", path, resp, body)
			}
			for _, e := range d.Body.Results.Results.Events {
				lots[e.Quantities[0].Class]++
			}
			path = ""
			if l := resp.Header.Get("Link"); l != "" {
				path = l[1:strings.Index(l, ">")]
			}
		}
		if len(lots) != n {
			t.Errorf("%s: %d lots on the chain, want %d", stopAt, len(lots), n)
		}
		for l, c := range lots {
			if c != 1 {
				t.Errorf("%s: %s commissioned %d times", stopAt, l, c)
			}
		}
		g.kill()
	}
}
