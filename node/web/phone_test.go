package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qianchain/qianchain/contracts/demo"
)

// phoneCheck is what phone.js left in #phone-verify.
type phoneCheck struct {
	Verified string `json:"verified"`
	Agree    string `json:"agree"`
	Code     string `json:"code"`
	Text     string `json:"text"`
}

// waitPhoneCheck opens base+path on a phone and waits for the in-browser
// check's outcome.
func waitPhoneCheck(t *testing.T, ctx context.Context, base, path string) phoneCheck {
	t.Helper()
	step(t, ctx, "viewport", phone.apply())
	step(t, ctx, "navigate "+path, chromedp.Navigate(base+path))
	return awaitPhoneCheck(t, ctx, path)
}

// awaitPhoneCheck waits for the open page's in-browser check to leave its
// outcome on #phone-verify.
func awaitPhoneCheck(t *testing.T, ctx context.Context, path string) phoneCheck {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for c.Err() == nil {
		s, err := chromedp.Run(c, chromedp.Evaluate[string](`(() => { const b = document.getElementById("phone-verify");
			return b && b.dataset.verified ? JSON.stringify({verified: b.dataset.verified, agree: b.dataset.agree, code: b.dataset.code, text: b.innerText}) : ""; })()`))
		if err == nil && s != "" {
			var pc phoneCheck
			json.Unmarshal([]byte(s), &pc)
			return pc
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: the phone check left no outcome", path)
	return phoneCheck{}
}

// The consumer page verifies its latest record in the browser too and
// says so beside the server's statement; a node whose data is forged (a
// proxy in front of a genuine node serving a doctored bundle, the page and
// its script untouched) is caught, and the page says the server's
// statement is not backed by its proof; a node of another chain than the
// genesis hash the reader holds (?genesis= from the label) is refused.
func TestConsumerPageVerifiesOnThePhone(t *testing.T) {
	needNet(t)
	ctx := browser(t)
	path := demo.DemoLot.Path()
	got := waitPhoneCheck(t, ctx, net.URL, path)
	if got.Verified != "true" || got.Agree != "true" || !strings.Contains(got.Text, "Verified on this phone") {
		t.Fatalf("genuine node: %+v", got)
	}

	forged := regexp.MustCompile(`"encoding": "[0-9a-f]{16}`)
	target, _ := neturl.Parse(net.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		if !strings.HasSuffix(r.Request.URL.Path, "/proof") {
			return nil
		}
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		b = forged.ReplaceAllFunc(b, func(m []byte) []byte {
			m = append([]byte{}, m...)
			if m[len(m)-1] == '0' {
				m[len(m)-1] = '1'
			} else {
				m[len(m)-1] = '0'
			}
			return m
		})
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	liar := httptest.NewServer(proxy)
	defer liar.Close()
	got = waitPhoneCheck(t, ctx, liar.URL, path)
	if got.Verified != "false" || got.Agree != "false" || !strings.HasPrefix(got.Code, "ERR_PROOF") || !strings.Contains(got.Text, "the server says verified") {
		t.Fatalf("a node serving a forged bundle: %+v", got)
	}

	got = waitPhoneCheck(t, ctx, net.URL, path+"?genesis="+strings.Repeat("ab", 32))
	if got.Verified != "false" || got.Code != "ERR_PROOF_CHAIN" {
		t.Fatalf("another genesis hash on the label: %+v", got)
	}
}
