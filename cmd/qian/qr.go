package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/node/web/qr"
)

func newQRCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "qr --gtin GTIN --lot LOT --base-url URL -o FILE.png|FILE.svg",
		Short: "Make the QR code of a lot's GS1 Digital Link page",
		Long: `Write a QR code that encodes the GS1 Digital Link URI of a lot,
{base-url}/01/{gtin}/10/{lot} (or /21/{serial} for a serialised item), which a
phone opens as the lot's consumer page on any Qianchain node at base-url.

The GTIN may have 8, 12, 13 or 14 digits (it is padded to 14) and its check
digit is verified; the lot is 1-20 characters of GS1 character set 82. The
format follows the file name: .png (--size pixels square) or .svg (scalable,
for print). The same code is served by GET /v1/lots/{gtin}/{lot}/qr.png.

Example:
  qian qr --gtin 06923103000118 --lot DYMJ20250325A --base-url https://trace.example.cn -o lot.svg`,
		Args: args(0, "no arguments (use the flags)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			gtin, _ := f.GetString("gtin")
			lot, _ := f.GetString("lot")
			serial, _ := f.GetString("serial")
			base, _ := f.GetString("base-url")
			out, _ := f.GetString("output")
			size, _ := f.GetInt("size")
			if gtin == "" || base == "" || out == "" {
				return usagef("qian qr needs --gtin, --lot (or --serial), --base-url and -o; see qian qr --help")
			}
			id, err := qr.Object(gtin, lot, serial)
			if err != nil {
				return usagef("%v", err)
			}
			uri, err := qr.Link(base, id)
			if err != nil {
				return usagef("%v", err)
			}
			var img []byte
			switch strings.ToLower(filepath.Ext(out)) {
			case ".png":
				img, err = qr.PNG(uri, size)
			case ".svg":
				img, err = qr.SVG(uri)
			default:
				return usagef("-o %s: the file name must end in .png or .svg", out)
			}
			if err != nil {
				return usagef("%v", err)
			}
			if err := os.WriteFile(out, img, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s\n  encodes %s\n", out, uri)
			return nil
		},
	}
	f := cmd.Flags()
	f.String("gtin", "", "GTIN of the product (8-14 digits, check digit verified)")
	f.String("lot", "", "lot (batch) number, GS1 AI 10")
	f.String("serial", "", "serial number, GS1 AI 21, for a serialised item instead of a lot")
	f.String("base-url", "", "http(s) URL of the resolver or node the code points at, e.g. https://trace.example.cn")
	f.StringP("output", "o", "", "file to write: NAME.png or NAME.svg")
	f.Int("size", 512, "PNG size in pixels (64-4096)")
	return cmd
}
