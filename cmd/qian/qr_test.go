package main

import (
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
)

// qian qr writes a PNG that an independent decoder reads back as the
// lot's Digital Link URI, and an SVG; bad GTINs are usage errors.
func TestQRCommand(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "lot.png")
	r := runQian(t, "", nil, "qr", "--gtin", "6923103000118", "--lot", "DYMJ20250325A", "--base-url", "https://trace.example.cn/", "-o", png, "--size", "300")
	want := "https://trace.example.cn/01/06923103000118/10/DYMJ20250325A"
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Fatalf("qian qr: %d %s %s", r.code, r.stdout, r.stderr)
	}
	f, err := os.Open(png)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.GetText() != want {
		t.Fatalf("the QR code says %q, want %q", res.GetText(), want)
	}

	svg := filepath.Join(dir, "item.svg")
	r = runQian(t, "", nil, "qr", "--gtin", "06923103000118", "--serial", "0001", "--base-url", "http://127.0.0.1:26657", "-o", svg)
	b, _ := os.ReadFile(svg)
	if r.code != 0 || !strings.Contains(string(b), "<title>http://127.0.0.1:26657/01/06923103000118/21/0001</title>") {
		t.Fatalf("svg: %d %s %s", r.code, r.stderr, b)
	}

	for _, bad := range [][]string{
		{"--gtin", "06923103000119", "--lot", "A", "--base-url", "https://x.cn", "-o", png},
		{"--gtin", "06923103000118", "--base-url", "https://x.cn", "-o", png},
		{"--gtin", "06923103000118", "--lot", "A", "--base-url", "ftp://x.cn", "-o", png},
		{"--gtin", "06923103000118", "--lot", "A", "--base-url", "https://x.cn", "-o", filepath.Join(dir, "x.gif")},
		{"--gtin", "06923103000118", "--lot", "A", "-o", png},
	} {
		r := runQian(t, "", nil, append([]string{"qr"}, bad...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "error (usage)") {
			t.Errorf("qian qr %v: exit %d, %s", bad, r.code, r.stderr)
		}
	}
	r = runQian(t, "", nil, "qr", "--gtin", "06923103000119", "--lot", "A", "--base-url", "https://x.cn", "-o", png)
	if !strings.Contains(r.stderr, "check digit") {
		t.Errorf("a wrong check digit is not named: %s", r.stderr)
	}
}
