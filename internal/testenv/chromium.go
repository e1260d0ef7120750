package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// chromiumNames are the binaries looked for on PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Chromium returns the browser the browser tests drive: QIAN_CHROMIUM if
// set (.ci/run sets it), else the first of chromiumNames on PATH. It skips
// t when there is none, or when QIAN_CHROMIUM names no executable file.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("QIAN_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			skip(t, chromium, "QIAN_CHROMIUM="+p+" is not an executable file")
		}
		return path
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	skip(t, chromium, "none of "+strings.Join(chromiumNames, ", ")+" is on PATH")
	return ""
}
