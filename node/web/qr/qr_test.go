package qr

import (
	"bytes"
	"image"
	"image/color"
	_ "image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/gs1"
)

// Decode reads the QR code in img with an independent decoder (gozxing, a
// port of ZXing).
func Decode(t testing.TB, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

func TestPNGDecodesToTheDigitalLink(t *testing.T) {
	cases := []struct {
		base string
		id   gs1.ObjectID
		want string
	}{
		{"http://127.0.0.1:26657", demo.DemoLot, "http://127.0.0.1:26657/01/06923103000118/10/DYMJ20250325A"},
		{"https://trace.example.cn/qian/", demo.RecalledLot, "https://trace.example.cn/qian/01/06923109000105/10/BS20250324-01"},
		{"https://id.gs1.org", gs1.ObjectID{Kind: gs1.Lot, Key: "06901234567892", Ext: "2025/GZ-01"}, "https://id.gs1.org/01/06901234567892/10/2025%2FGZ-01"},
		{"https://id.gs1.org", gs1.ObjectID{Kind: gs1.Item, Key: "06901234567892", Ext: "SN0001"}, "https://id.gs1.org/01/06901234567892/21/SN0001"},
	}
	for _, c := range cases {
		uri, err := Link(c.base, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if uri != c.want {
			t.Fatalf("Link = %s, want %s", uri, c.want)
		}
		png, err := PNG(uri, 320)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(bytes.NewReader(png))
		if err != nil {
			t.Fatal(err)
		}
		if got := Decode(t, img); got != uri {
			t.Fatalf("decoded %q, want %q", got, uri)
		}
		if _, err := gs1.ParseDigitalLink(uri); err != nil {
			t.Fatalf("%s is not a valid Digital Link: %v", uri, err)
		}
	}
}

// The SVG draws exactly the encoder's module matrix: rasterised, it decodes
// to the same URI.
func TestSVGDecodesToTheDigitalLink(t *testing.T) {
	uri := "http://127.0.0.1:26657/01/06923103000118/10/DYMJ20250325A"
	svg, err := SVG(uri)
	if err != nil {
		t.Fatal(err)
	}
	img := rasterize(t, svg, 6)
	if got := Decode(t, img); got != uri {
		t.Fatalf("decoded %q, want %q", got, uri)
	}
	if !strings.Contains(string(svg), "<title>"+uri+"</title>") {
		t.Fatal("the SVG does not name its content")
	}
}

// rasterize draws the SVG's path (only the M x yhNv1h-Nz commands SVG
// writes) at scale pixels per module.
func rasterize(t *testing.T, svg []byte, scale int) image.Image {
	t.Helper()
	vb := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindSubmatch(svg)
	if vb == nil {
		t.Fatal("no viewBox")
	}
	n, _ := strconv.Atoi(string(vb[1]))
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllSubmatch(svg, -1) {
		x, _ := strconv.Atoi(string(m[1]))
		y, _ := strconv.Atoi(string(m[2]))
		w, _ := strconv.Atoi(string(m[3]))
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img
}

func TestBadInputsAreRefused(t *testing.T) {
	if _, err := Link("ftp://x", demo.DemoLot); err == nil {
		t.Fatal("ftp base accepted")
	}
	if _, err := Link("https://x.cn?a=1", demo.DemoLot); err == nil {
		t.Fatal("base with a query accepted")
	}
	if _, err := Object("06923103000119", "A", ""); err == nil || !strings.Contains(err.Error(), "check digit") {
		t.Fatalf("wrong check digit: %v", err)
	}
	if _, err := Object("6923103000118", "DYMJ20250325A", ""); err != nil {
		t.Fatalf("GTIN-13 refused: %v", err)
	}
	if _, err := Object("06923103000118", "", ""); err == nil {
		t.Fatal("no lot accepted")
	}
	if _, err := Object("06923103000118", "A", "1"); err == nil {
		t.Fatal("lot and serial accepted")
	}
	if _, err := PNG("x", 10); err == nil {
		t.Fatal("tiny size accepted")
	}
}
