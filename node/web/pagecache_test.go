package web_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/contracts/demo"
)

var footerHeight = regexp.MustCompile(`高度 <span lang="en">height</span> (\d+)`)

// The consumer page is kept as rendered per view and height (pagecache.go):
// a kept page never answers a request it does not match. Within one
// height, two origins (the Host a phone used) and two serials each get
// their own links and serial; a page asked again is the same bytes. The
// requests are retried until all of them fall within one height, so the
// cache is what answers.
func TestKeptConsumerPageMatchesItsRequest(t *testing.T) {
	needNet(t)
	get := func(path, host string) (string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, net.URL+path, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := footerHeight.FindStringSubmatch(string(b))
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("%s (Host %s): %d, footer height %v", path, host, resp.StatusCode, m)
		}
		return string(b), m[1]
	}
	lot := demo.DemoLot.Path()
	for try := 0; ; try++ {
		a1, h1 := get(lot+"/21/S-ONE", "farm-a.example")
		b, h2 := get(lot+"/21/S-ONE", "farm-b.example")
		c, h3 := get(lot+"/21/S-TWO", "farm-a.example")
		a2, h4 := get(lot+"/21/S-ONE", "farm-a.example")
		if h1 != h2 || h2 != h3 || h3 != h4 {
			if try == 20 {
				t.Fatalf("no four requests within one height in 20 tries (%s %s %s %s)", h1, h2, h3, h4)
			}
			continue
		}
		if !strings.Contains(a1, "http://farm-a.example"+lot) || strings.Contains(a1, "farm-b.example") {
			t.Error("the page for Host farm-a.example does not link with its own origin")
		}
		if !strings.Contains(b, "http://farm-b.example"+lot) || strings.Contains(b, "farm-a.example") {
			t.Error("the page for Host farm-b.example was answered with another origin's links")
		}
		if !strings.Contains(c, "<code>S-TWO</code>") || strings.Contains(c, "S-ONE") {
			t.Error("the page for serial S-TWO was answered with another serial's")
		}
		if a1 != a2 {
			t.Error("the same request at the same height got two different pages")
		}
		return
	}
}
