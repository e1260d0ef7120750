package gateway

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/qianchain/qianchain/contracts/disclosure"
)

// writeDisclosures keeps the personal-data disclosures of a job's events
// (qian:personalData goes on the chain only as salted commitments) in
// HOME/disclosures/{captureID}.json, readable by the gateway's user only,
// as qian trace capture writes DOC.disclosures.json: the organisation
// shows them to whoever should check a commitment (qian verify
// --disclose). The file is written before anything is signed, so no
// commitment reaches the chain without its disclosure kept.
func (g *Gateway) writeDisclosures(id string, p *prepared, events []int) error {
	out := map[string][]disclosure.Disclosure{}
	for _, e := range events {
		if len(p.Disclosures[e]) > 0 {
			out[fmt.Sprint(e)] = p.Disclosures[e]
		}
	}
	if len(out) == 0 {
		return nil
	}
	dir := filepath.Join(g.opt.Home, "disclosures")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	f := filepath.Join(dir, id+".json")
	if err := os.WriteFile(f, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("keep the disclosures of capture %s: %w", id, err)
	}
	return nil
}
