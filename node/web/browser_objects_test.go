package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qianchain/qianchain/contracts/demo"
)

// An event declared erroneous reads as such in a browser: struck through,
// with the declaration's note shown, and its "corrected by" link brings
// the corrective event into view. A void object and one that left the
// chain open with their banner at the top; an association shows its mark.
func TestCorrectionsAndObjectKindsInBrowser(t *testing.T) {
	ownDocuments(t)
	ctx := browser(t)
	for _, v := range []viewport{phone, desktop} {
		open(t, ctx, v, demo.DemoLot.Path())
		struck := step(t, ctx, "strike-through", chromedp.Evaluate[string](
			`getComputedStyle(document.querySelector('li[data-declared] h3 s')).textDecorationLine`))
		if !strings.Contains(struck, "line-through") {
			t.Errorf("%s: the declared event's title is %q, not struck through", v.name, struck)
		}
		noteH := step(t, ctx, "note", chromedp.Evaluate[float64](`document.querySelector('li[data-declared] .declared-note').getBoundingClientRect().height`))
		if noteH < 30 {
			t.Errorf("%s: the declaration note is %v px high", v.name, noteH)
		}
		step(t, ctx, "follow the correction", chromedp.Click(`li[data-declared] .declared-note a[href^="#ev-"]`))
		// Polled: the browser scrolls to the anchor after the click
		// returns, later on a loaded machine (a CI run read it too soon).
		inView := step(t, ctx, "corrective event in view", chromedp.Poll[bool](
			`(() => { const e = document.getElementById(location.hash.slice(1)); if (!e || e.dataset.declared) return false;
			  const r = e.getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight && e.dataset.step === 'shipping'; })()`,
			chromedp.WithPollingTimeout(10*time.Second)))
		if !inView {
			t.Errorf("%s: the corrected-by link does not bring the corrective shipment into view", v.name)
		}
	}
	for path, banner := range map[string]string{"/01/06923103000118/21/GB0099": ".banner.void", "/01/06923103000118/21/GB0001": ".banner.away"} {
		dom := open(t, ctx, phone, path)
		top := step(t, ctx, "banner place", chromedp.Evaluate[float64](`document.querySelector('`+banner+`').getBoundingClientRect().top`))
		if top > 160 {
			t.Errorf("%s: the banner %s is %v px from the top", path, banner, top)
		}
		if strings.Contains(dom, `class="recall"`) {
			t.Errorf("%s shows a recall banner", path)
		}
	}
	open(t, ctx, phone, "/8003/06923104000018C-001")
	mark := step(t, ctx, "association mark", chromedp.Evaluate[string](`document.querySelector('li[data-step="association"] .dot').textContent`))
	if mark != "联" {
		t.Errorf("the association's mark is %q", mark)
	}
	if wide := step(t, ctx, "measure", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > 390`)); wide {
		t.Error("the asset page is wider than a phone's screen")
	}
}
