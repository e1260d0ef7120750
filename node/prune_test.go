package node_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node"
	"github.com/qianchain/qianchain/node/api"
	"github.com/qianchain/qianchain/node/client"
	"github.com/qianchain/qianchain/node/nodetest"
	"github.com/qianchain/qianchain/node/web"
)

// TestPrunedNode: a validator with storage.prune_below = P deletes the
// blocks below P once it has committed P and keeps validating; its API
// answers 410 ERR_PRUNED for a transaction below P, naming the archive node
// of storage.archive_urls (message and archive field) and P as its first
// height, as do its block and transaction answers and pages; a lot whose
// record is below P answers 200 with its story and an ERR_PRUNED
// verification naming the archive node, and its consumer page links the
// same page there (checkPrunedLot); the archive node answers the same
// paths; the pruned node serves a proof bundle, which verifies against
// genesis, for a transaction above P.
func TestPrunedNode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 4-node network")
	}
	farm := nodetest.NewFarm(t)
	nw := nodetest.New(t, nodetest.Options{Validators: 4, Farm: farm,
		Handler: func(n *node.Node) http.Handler { return web.Handler(n, api.Options{}) }})
	pruned, archive := nw.Members[3], nw.Members[0]
	ctx := context.Background()
	anchor := func() *client.Outcome { t.Helper(); return farm.Anchor(t, nw, pruned.URL) }
	nw.StartAll()
	nw.WaitHeight(1, 30*time.Second)
	farm.Harvest(t, nw, pruned.URL, "PRUNED-1")
	farm.Harvest(t, nw, pruned.URL, "PRUNED-2")
	early := anchor()
	earlyData := nodetest.AnchoredHash(farm.Nonce())
	p := early.Height + 2
	nw.Stop(3)
	pruned.Config.Storage.PruneBelow = p
	pruned.Config.Storage.ArchiveURLs = []string{archive.URL}
	nw.Start(3)
	nw.WaitHeight(p+1, 30*time.Second)
	late := anchor()
	farm.Capture(t, nw, pruned.URL, "PRUNED-2", epcis.Observe, "inspecting")
	nw.WaitHeight(late.Height+1, 30*time.Second)
	st := pruned.Node.Store
	if st.BlockBase() != p-1 {
		t.Fatalf("base %d after pruning below %d", st.BlockBase(), p)
	}
	if _, err := st.Block(early.Height); !errorsIsPruned(err) {
		t.Fatalf("block %d: %v", early.Height, err)
	}
	for _, path := range []string{"/v1/txs/" + early.Hash.String() + "/proof", "/v1/txs/" + early.Hash.String(),
		fmt.Sprintf("/v1/blocks/%d", early.Height), fmt.Sprintf("/v1/blocks/%d/raw", early.Height)} {
		var e api.Error
		status := getJSON(t, pruned.URL+path, &e)
		if status != http.StatusGone || e.Code != "ERR_PRUNED" || e.FirstHeight != p || e.Archive == nil ||
			len(*e.Archive) != 1 || (*e.Archive)[0] != archive.URL || !strings.Contains(e.Message, archive.URL) {
			t.Fatalf("%s on the pruned node: %d %+v", path, status, e)
		}
		// The client follows it: the archive node answers the same path.
		var cerr *client.Error
		if err := client.New(pruned.URL).Get(ctx, path, nil); !errors.As(err, &cerr) || len(cerr.Archive) != 1 || cerr.FirstHeight != p {
			t.Fatalf("%s through node/client: %v", path, err)
		}
		var ok json.RawMessage
		if err := client.New(cerr.Archive[0]).Get(ctx, path, &ok); err != nil {
			t.Fatalf("%s on the archive node it names: %v", path, err)
		}
	}
	// The pages name the archive node and link the same page there.
	for _, page := range []string{"/explorer/txs/" + early.Hash.String(), fmt.Sprintf("/explorer/blocks/%d", early.Height)} {
		resp, err := http.Get(pruned.URL + page)
		if err != nil {
			t.Fatal(err)
		}
		html, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusGone || !strings.Contains(string(html), "ERR_PRUNED") || !strings.Contains(string(html), `href="`+archive.URL+page+`"`) {
			t.Fatalf("the pruned node's page %s: %d\n%s", page, resp.StatusCode, html)
		}
	}
	// An anchor whose block is below P: its certificate, and instead of a
	// verification a plain word and the archive node's same page (not a
	// silent absence, not a failure); the archive node verifies it.
	var anchored struct {
		Verification *struct {
			Verified    bool      `json:"verified"`
			Code        string    `json:"code"`
			Height      uint64    `json:"height"`
			FirstHeight uint64    `json:"first_height"`
			Archive     *[]string `json:"archive"`
		} `json:"verification"`
	}
	if status := getJSON(t, pruned.URL+"/v1/notary/"+earlyData.String(), &anchored); status != http.StatusOK {
		t.Fatalf("the early anchor on the pruned node: %d", status)
	}
	if v := anchored.Verification; v == nil || v.Verified || v.Code != "ERR_PRUNED" || v.Height != early.Height ||
		v.FirstHeight != p || v.Archive == nil || len(*v.Archive) != 1 || (*v.Archive)[0] != archive.URL {
		t.Fatalf("the early anchor's verification on the pruned node: %+v", v)
	}
	notaryPage := "/explorer/notary/" + earlyData.String()
	resp, err := http.Get(pruned.URL + notaryPage)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, w := range []string{"does not hold block " + fmt.Sprint(early.Height), `href="` + archive.URL + notaryPage + `"`} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(html), w) || strings.Contains(string(html), "✗") {
			t.Fatalf("the early anchor's page on the pruned node: %d, no %q\n%s", resp.StatusCode, w, html)
		}
	}
	anchored.Verification = nil
	if status := getJSON(t, archive.URL+"/v1/notary/"+earlyData.String(), &anchored); status != http.StatusOK ||
		anchored.Verification == nil || !anchored.Verification.Verified {
		t.Fatalf("the early anchor on the archive node: %d %+v", status, anchored.Verification)
	}
	// A lot whose record is below P: its story and a plain word on its
	// proofs, not a 410 (issue #12); the archive node verifies it.
	checkPrunedLot(t, pruned.URL, "PRUNED-1", p, []string{archive.URL})
	var onArchive struct {
		Verification *struct {
			Verified bool   `json:"verified"`
			Code     string `json:"code"`
		} `json:"verification"`
	}
	if status := getJSON(t, archive.URL+"/v1/lots/"+demo.GTINFreshLeaves+"/PRUNED-1", &onArchive); status != http.StatusOK ||
		onArchive.Verification == nil || !onArchive.Verification.Verified || onArchive.Verification.Code != "" {
		t.Fatalf("the lot on the archive node: %d %+v", status, onArchive.Verification)
	}
	// A lot with a record below P and its latest above: verified, the old
	// record counted apart (pruned, not failed), the archive node linked.
	var mixed struct {
		Verification *struct {
			Verified    bool      `json:"verified"`
			Code        string    `json:"code"`
			Records     int       `json:"records"`
			Failed      int       `json:"failed"`
			Pruned      int       `json:"pruned"`
			FirstHeight uint64    `json:"first_height"`
			Archive     *[]string `json:"archive"`
		} `json:"verification"`
	}
	if status := getJSON(t, pruned.URL+"/v1/lots/"+demo.GTINFreshLeaves+"/PRUNED-2", &mixed); status != http.StatusOK {
		t.Fatalf("a lot with records on both sides of the first block: %d", status)
	}
	if v := mixed.Verification; v == nil || !v.Verified || v.Code != "" || v.Records != 2 || v.Pruned != 1 || v.Failed != 0 ||
		v.FirstHeight != p || v.Archive == nil || len(*v.Archive) != 1 || (*v.Archive)[0] != archive.URL {
		t.Fatalf("a lot with records on both sides of the first block: %+v", v)
	}
	page := "/01/" + demo.GTINFreshLeaves + "/10/PRUNED-2"
	resp, err = http.Get(pruned.URL + page)
	if err != nil {
		t.Fatal(err)
	}
	html, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, w := range []string{"✓ 已验证", "1 in blocks this node does not hold", `href="` + archive.URL + page + `"`} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(html), w) || strings.Contains(string(html), "Verification failed") {
			t.Fatalf("the page of a lot with records on both sides of the first block: %d, no %q\n%s", resp.StatusCode, w, html)
		}
	}
	resp, err = http.Get(pruned.URL + "/v1/txs/" + late.Hash.String() + "/proof")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("proof of a later transaction on the pruned node: %d %s", resp.StatusCode, raw)
	}
	vals, _ := nw.Genesis.ValidatorSet()
	if _, err := proof.VerifyJSON(raw, proof.Anchor{Chain: nw.Genesis.Identity(), Validators: vals}); err != nil {
		t.Fatalf("the pruned node's bundle: %v", err)
	}
}

// getJSON decodes the body of GET url into v and returns the status.
func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %v", url, resp.StatusCode, err)
	}
	return resp.StatusCode
}

func errorsIsPruned(err error) bool {
	var pe *store.PrunedError
	return errors.As(err, &pe)
}
