package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/node/api"
)

// The phone check on a node that does not hold the block of the lot's
// latest record (issue #12): the node answers 410 ERR_PRUNED for the
// proof, and its page says so (data-server "pruned", data-archive the
// same page on the archive node). The script neither claims "verified"
// nor raises the forgery alarm: it says this node could not give a proof
// and links the archive node's page. The pruned node is played by a
// proxy in front of the genuine devnet node, answering the proof with the
// pruned node's 410 and marking the page as a pruned node renders it
// (node TestPrunedNode and TestNodeJoinsFromSnapshot check that rendering
// on real pruned and snapshot-joined nodes); the script and the browser
// are the real ones.
func TestConsumerPagePhoneCheckOnPrunedNode(t *testing.T) {
	needNet(t)
	ctx := browser(t)
	path := demo.DemoLot.Path()
	archivePage := net.URL + path
	target, _ := neturl.Parse(net.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		var b []byte
		switch {
		case strings.HasSuffix(r.Request.URL.Path, "/proof"):
			archive := []string{net.URL}
			b, _ = json.Marshal(api.Error{Code: "ERR_PRUNED", Message: "height 3 is below this node's first block, 7 (it started from a snapshot, or prunes old blocks)",
				FirstHeight: 7, Archive: &archive})
			r.StatusCode, r.Status = http.StatusGone, "410 Gone"
			r.Header.Set("Content-Type", "application/json")
		case r.Request.URL.Path == path:
			page, err := io.ReadAll(r.Body)
			if err != nil {
				return err
			}
			b = bytes.Replace(page, []byte(`data-server="verified"`), []byte(`data-server="pruned" data-archive="`+archivePage+`"`), 1)
		default:
			return nil
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	pruned := httptest.NewServer(proxy)
	defer pruned.Close()

	got := waitPhoneCheck(t, ctx, pruned.URL, path)
	if got.Verified != "false" || got.Agree != "true" || got.Code != "ERR_PRUNED" || !strings.Contains(got.Text, "could not give a proof") {
		t.Fatalf("the phone check on a pruned node: %+v", got)
	}
	for _, bad := range []string{"Verified on this phone", "Not verified on this phone", "Could not verify", "Trust neither"} {
		if strings.Contains(got.Text, bad) {
			t.Fatalf("the phone check on a pruned node says %q: %+v", bad, got)
		}
	}
	href := step(t, ctx, "archive link", chromedp.Evaluate[string](`(() => { const a = document.querySelector("#phone-verify a"); return a ? a.href : ""; })()`))
	if href != archivePage {
		t.Fatalf("the phone check's archive link: %q, want %q", href, archivePage)
	}
}
