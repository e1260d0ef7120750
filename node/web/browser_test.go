package web_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/internal/testenv"
)

// Browser tests drive Debian's chromium (installed by .ci/run, which
// exports QIAN_CHROMIUM) through the DevTools protocol with chromedp.
// They skip when no chromium is found (testenv.Chromium), and
// scripts/test.sh says so in its summary. With QIAN_UPDATE_SCREENSHOTS=1 they
// write the screenshots the README shows to docs/screenshots/; otherwise
// to a temporary directory. Retake them on a machine with a CJK font
// (Debian: apt-get install fonts-noto-cjk), or the Chinese renders as boxes;
// the tests themselves do not need one.

// browser starts one headless chromium for the test and returns a tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(testenv.Chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.Title()); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// step runs an action with a timeout.
func step[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func screenshotDir(t *testing.T) string {
	if os.Getenv("QIAN_UPDATE_SCREENSHOTS") == "" {
		return t.TempDir()
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	out := filepath.Join(dir, "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

type viewport struct {
	name          string
	width, height int64
	scale         float64
	mobile        bool
}

var (
	phone   = viewport{"phone", 390, 844, 2, true}
	desktop = viewport{"desktop", 1366, 900, 1, false}
)

func (v viewport) apply() chromedp.Action[chromedp.Void] {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(v.scale)}
	if v.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return chromedp.EmulateViewport(v.width, v.height, opts...)
}

// open loads path at the viewport and returns the rendered DOM.
func open(t *testing.T, ctx context.Context, v viewport, path string) string {
	t.Helper()
	step(t, ctx, "viewport", v.apply())
	step(t, ctx, "navigate "+path, chromedp.Navigate(net.URL+path))
	return step(t, ctx, "read the DOM", chromedp.OuterHTML("html"))
}

func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	img := step(t, ctx, "screenshot", chromedp.FullScreenshot(72))
	if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%d KiB)", filepath.Join(dir, name), len(img)/1024)
}

var verifySentence = regexp.MustCompile(`Recorded in block <strong>(\d+)</strong> at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, signed by <strong>(\d) of 4</strong> validators`)

// checkConsumerPage checks what a consumer must see on the demo lot.
func checkConsumerPage(t *testing.T, dom string) {
	t.Helper()
	steps := regexp.MustCompile(`data-step="([a-z]+)"`).FindAllStringSubmatch(dom, -1)
	seen := map[string]bool{}
	for _, s := range steps {
		seen[s[1]] = true
	}
	if len(steps) < 15 {
		t.Errorf("the timeline shows %d events", len(steps))
	}
	for _, s := range []string{"harvest", "inspection", "processing", "shipping", "transport", "sale"} {
		if !seen[s] {
			t.Errorf("the timeline has no %s event", s)
		}
	}
	m := verifySentence.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no verification sentence \"recorded in block H at T, signed by k of 4 validators\"")
	}
	if m[2] < "3" {
		t.Errorf("signed by %s of 4 validators: not a quorum", m[2])
	}
	for _, want := range []string{"都匀毛尖", "毛尖镇螺丝壳", "贵州省黔南州都匀市", "冷链温度", "QNTC", "证明包", "Download proof bundle"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if strings.Contains(dom, `class="recall"`) {
		t.Error("the demo lot shows a recall banner")
	}
	// The carrier's shipment to the wrong warehouse stays on the
	// timeline, marked as declared erroneous, with its correction.
	if !strings.Contains(dom, `data-declared="true"`) || !strings.Contains(dom, "已声明错误") || !strings.Contains(dom, "Corrected by") {
		t.Error("the timeline does not show the declared shipment with its correction")
	}
}

// The demo lot's consumer page at phone and desktop sizes: the timeline,
// the verification panel, the chart, no recall banner; the layout fits a
// phone and uses two columns on a desktop.
func TestConsumerPageInBrowser(t *testing.T) {
	needNet(t)
	ctx := browser(t)
	dir := screenshotDir(t)
	path := demo.DemoLot.Path()

	dom := open(t, ctx, phone, path)
	checkConsumerPage(t, dom)
	overflow := step(t, ctx, "measure", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > 390`))
	if overflow {
		t.Error("the page is wider than a phone's screen")
	}
	chartW := step(t, ctx, "chart", chromedp.Evaluate[float64](`document.querySelector('svg.chart').getBoundingClientRect().width`))
	if chartW < 250 {
		t.Errorf("the temperature chart is %v px wide on a phone", chartW)
	}
	// The screenshot shows the phone's own check beside the server's sentence.
	if got := awaitPhoneCheck(t, ctx, path); got.Verified != "true" || got.Agree != "true" {
		t.Errorf("the phone check: %+v", got)
	}
	shoot(t, ctx, dir, "consumer-phone.jpg")

	dom = open(t, ctx, desktop, path)
	checkConsumerPage(t, dom)
	twoCols := step(t, ctx, "layout", chromedp.Evaluate[bool](
		`document.querySelector('.timeline-card').getBoundingClientRect().left > document.querySelector('.product').getBoundingClientRect().right - 1`))
	if !twoCols {
		t.Error("on a desktop the timeline is not beside the product")
	}
	if got := awaitPhoneCheck(t, ctx, path); got.Verified != "true" || got.Agree != "true" {
		t.Errorf("the phone check on a desktop: %+v", got)
	}
	shoot(t, ctx, dir, "consumer-desktop.jpg")
}

// A recalled lot opens with a red banner at the top of the page.
func TestRecallBannerInBrowser(t *testing.T) {
	needNet(t)
	ctx := browser(t)
	dir := screenshotDir(t)
	for _, v := range []viewport{phone, desktop} {
		dom := open(t, ctx, v, demo.RecalledLot.Path())
		if !strings.Contains(dom, `role="alert"`) || !strings.Contains(dom, "此批次已被召回") {
			t.Fatalf("%s: no recall banner", v.name)
		}
		bg := step(t, ctx, "banner colour", chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.recall')).backgroundColor`))
		top := step(t, ctx, "banner place", chromedp.Evaluate[float64](`document.querySelector('.recall').getBoundingClientRect().top`))
		if bg != "rgb(179, 38, 30)" || top > 160 {
			t.Errorf("%s: the banner is %s at %v px from the top", v.name, bg, top)
		}
		if !strings.Contains(dom, `data-step="recall"`) {
			t.Errorf("%s: the timeline does not show the recall", v.name)
		}
	}
	open(t, ctx, phone, demo.RecalledLot.Path())
	shoot(t, ctx, dir, "recall-phone.jpg")
	open(t, ctx, desktop, "/explorer")
	shoot(t, ctx, dir, "explorer-desktop.jpg")
}

// With JavaScript switched off the page shows the same content: it is
// rendered on the server.
func TestConsumerPageWithoutJavaScript(t *testing.T) {
	needNet(t)
	ctx := browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable scripts: %v", err)
	}
	dom := open(t, ctx, phone, demo.DemoLot.Path())
	checkConsumerPage(t, dom)
	if visible := step(t, ctx, "phone check", chromedp.Evaluate[bool](`!document.getElementById("phone-verify").hidden`)); visible {
		t.Error("without scripts the in-browser check shows")
	}
	if !strings.Contains(dom, "<svg class=\"chart\"") {
		t.Error("the chart needs JavaScript")
	}
}
