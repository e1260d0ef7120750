package node_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/node/web/webtest"
)

// checkPrunedLot asserts what a node whose first block is first tells of a
// lot (demo.GTINFreshLeaves, lot) whose only record is below that block
// (issue #12): the lot's JSON answers 200, valid against
// docs/openapi.yaml, its verification says ERR_PRUNED (not verified, not
// failed: the record is counted in pruned) with the node's first height
// and the archive nodes it names; the consumer page tells the lot's story
// and, in place of the block and its signers, says in Chinese and English
// that this node does not hold the blocks, linking the same page on each
// archive node (or saying it names none), without the "verification
// failed" alarm; its phone check is told the server's word ("pruned");
// its linkset names the proof bundle on the archive nodes.
func checkPrunedLot(t *testing.T, url, lot string, first uint64, archive []string) {
	t.Helper()
	path := "/v1/lots/" + demo.GTINFreshLeaves + "/" + lot
	resp, err := http.Get(url + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s on a node without the lot's blocks: %d %s", path, resp.StatusCode, body)
	}
	spec, err := webtest.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	spec.Check(t, "GET", path, resp, body)
	// The JSON's own names (docs/openapi.yaml), not view's Go fields.
	var l struct {
		Owner        *struct{ ID string } `json:"owner"`
		History      []json.RawMessage    `json:"history"`
		Verification *struct {
			Verified    bool      `json:"verified"`
			Code        string    `json:"code"`
			Error       string    `json:"error"`
			Height      uint64    `json:"height"`
			Time        string    `json:"time"`
			FirstHeight uint64    `json:"first_height"`
			Archive     *[]string `json:"archive"`
			Records     int       `json:"records"`
			Failed      int       `json:"failed"`
			Pruned      int       `json:"pruned"`
		} `json:"verification"`
	}
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	v := l.Verification
	if v == nil || v.Code != "ERR_PRUNED" || v.Verified || v.FirstHeight != first || v.Archive == nil || !reflect.DeepEqual(*v.Archive, archive) ||
		v.Records != 1 || v.Pruned != 1 || v.Failed != 0 || v.Height == 0 || v.Height >= first || v.Time == "" || !strings.Contains(v.Error, "below this node's first block") {
		t.Fatalf("%s: verification %+v, want ERR_PRUNED below %d naming %v", path, v, first, archive)
	}
	if len(l.History) != 1 || l.Owner == nil || l.Owner.ID == "" {
		t.Fatalf("%s: the lot's story from the state: %d events, owner %v", path, len(l.History), l.Owner)
	}

	page := "/01/" + demo.GTINFreshLeaves + "/10/" + lot
	resp, err = http.Get(url + page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	html := string(body)
	want := []string{`class="card verify pruned"`, "本节点不保存这些记录所在的区块", "This node does not hold the blocks of these records",
		`data-server="pruned"`, "1 in blocks this node does not hold"}
	for _, a := range archive {
		want = append(want, `href="`+a+page+`"`)
	}
	if len(archive) == 0 {
		want = append(want, "This node names no archive node")
	}
	for _, w := range want {
		if resp.StatusCode != http.StatusOK || !strings.Contains(html, w) {
			t.Fatalf("the consumer page %s on a node without the lot's blocks: %d, no %q\n%s", page, resp.StatusCode, w, html)
		}
	}
	for _, bad := range []string{"Verification failed", "核验失败", "Recorded in block", "Download proof bundle"} {
		if strings.Contains(html, bad) {
			t.Fatalf("the consumer page %s on a node without the lot's blocks says %q\n%s", page, bad, html)
		}
	}
	// Its GS1 linkset sends a verifier for the proof bundle to the archive
	// nodes, not to this node's 410.
	resp, err = http.Get(url + page + "?linkType=all")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	set := string(body)
	if resp.StatusCode != http.StatusOK || strings.Contains(set, url+"/v1/txs/") {
		t.Fatalf("the linkset of %s names this node's proof: %d %s", page, resp.StatusCode, set)
	}
	for _, a := range archive {
		if !strings.Contains(set, a+"/v1/txs/") {
			t.Fatalf("the linkset of %s does not name the archive node's proof: %s", page, set)
		}
	}
}
