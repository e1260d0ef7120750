// Package qr makes the QR codes printed on packages: each encodes a GS1
// Digital Link URI (https://host/01/{gtin}/10/{lot}) that a phone opens as
// the lot's consumer page, and that GS1 resolvers and scanners understand.
//
// Encoding uses github.com/skip2/go-qrcode (ISO/IEC 18004, no
// dependencies); SVG is drawn here from its module matrix. Error correction
// is level M (15%), which survives a scuffed label and keeps the code small.
package qr

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/qianchain/qianchain/contracts/gs1"
)

// Link returns the Digital Link URI of an object under base, an http or
// https URL such as https://trace.example.cn or http://127.0.0.1:26657 (a
// path prefix is kept; a trailing slash is dropped).
func Link(base string, id gs1.ObjectID) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("base URL %q must be http:// or https:// with a host and no query, such as https://id.gs1.org", base)
	}
	if err := id.Validate(); err != nil {
		return "", err
	}
	return strings.TrimRight(base, "/") + id.Path(), nil
}

// Object parses the object a QR code names from a GTIN (8 to 14 digits,
// check digit verified), a lot number, and an optional serial number: a
// lot when serial is empty, else a serialised item.
func Object(gtin, lot, serial string) (gs1.ObjectID, error) {
	g, err := gs1.NormalizeGTIN(gtin)
	if err != nil {
		return gs1.ObjectID{}, err
	}
	o := gs1.ObjectID{Kind: gs1.Lot, Key: g, Ext: lot}
	switch {
	case serial != "" && lot != "":
		return o, fmt.Errorf("give a lot or a serial number, not both")
	case serial != "":
		o = gs1.ObjectID{Kind: gs1.Item, Key: g, Ext: serial}
	case lot == "":
		return o, fmt.Errorf("a lot number (or a serial number) is required")
	}
	return o, o.Validate()
}

// PNG renders content as a PNG of size x size pixels (at least 21 per
// module row is not guaranteed below 128; callers use 256 or more).
func PNG(content string, size int) ([]byte, error) {
	if size < 64 || size > 4096 {
		return nil, fmt.Errorf("size %d is outside 64-4096 pixels", size)
	}
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.PNG(size)
}

// SVG renders content as a scalable SVG: one path of unit squares on a
// white background with the standard four-module quiet zone.
func SVG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	m := q.Bitmap() // includes the quiet zone
	n := len(m)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`, n, n, n*8, n*8)
	fmt.Fprintf(&b, `<title>%s</title><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, html.EscapeString(content), n, n)
	for y, row := range m {
		for x := 0; x < n; x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < n && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>` + "\n")
	return b.Bytes(), nil
}

// Matrix returns the module matrix (true = dark), quiet zone included.
func Matrix(content string) ([][]bool, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.Bitmap(), nil
}
