package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/qianchain/qianchain/contracts/disclosure"
)

// writeDisclosures keeps the personal-data disclosures of a job's events
// (qian:personalData goes on the chain only as salted commitments) in
// HOME/disclosures/{captureID}.json, readable by the gateway's user only,
// in the one form of a disclosure file that qian trace capture writes
// beside a document and qian verify --disclose reads: a flat JSON list, in
// the document's event order. The organisation shows them to whoever
// should check a commitment. The file is written before anything is
// signed, so no commitment reaches the chain without its disclosure kept.
func (g *Gateway) writeDisclosures(id string, p *prepared, events []int) error {
	var out []disclosure.Disclosure
	for _, e := range events {
		out = append(out, p.Disclosures[e]...)
	}
	if len(out) == 0 {
		return nil
	}
	dir := filepath.Join(g.opt.Home, "disclosures")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	f := filepath.Join(dir, id+".json")
	if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("keep the disclosures of capture %s: %w", id, err)
	}
	return nil
}
