package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/genesis/anchor"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/node/verdict"
)

// This file is the verifier's logic, built for every platform so that its
// tests run natively (main.go holds the JavaScript glue).

// options is the page's optionsJSON.
type options struct {
	Event       string `json:"event"`
	FileSHA256  string `json:"file_sha256"`
	FileName    string `json:"file_name"`
	Disclosures []struct {
		Name string `json:"name"`
		Text string `json:"text"`
	} `json:"disclosures"`
}

// chain is what anchor returns: the pinned chain, for the page to show.
type chain struct {
	ChainID       string                `json:"chain_id"`
	GenesisHash   ledger.Hash           `json:"genesis_hash"`
	GenesisTime   int64                 `json:"genesis_time_unix_ns"`
	Validators    []anchor.Validator    `json:"validators"`
	Organisations []anchor.Organisation `json:"organisations"`
	TotalPower    uint64                `json:"total_power"`
}

// describe decodes the genesis encoding the page pins.
func describe(genesisHex string) string {
	enc, err := genesisBytes(genesisHex)
	if err != nil {
		return errorJSON("%v", err)
	}
	g, err := anchor.Decode(enc)
	if err != nil {
		return errorJSON("%v", err)
	}
	c := chain{ChainID: g.ChainID, GenesisHash: g.Hash, GenesisTime: g.GenesisTime, Validators: g.Validators,
		Organisations: g.Organisations, TotalPower: g.ValidatorSet().TotalPower()}
	b, _ := json.Marshal(c)
	return string(b)
}

// verify checks a bundle or certificate against the genesis encoding.
func verify(bundle, genesisHex, optionsJSON string) string {
	enc, err := genesisBytes(genesisHex)
	if err != nil {
		return errorJSON("%v", err)
	}
	g, err := anchor.Decode(enc)
	if err != nil {
		return errorJSON("%v", err)
	}
	v := check([]byte(bundle), g, optionsJSON)
	b, _ := json.Marshal(v)
	return string(b)
}

// check is verify after the anchor: the options read, then verdict.Check.
func check(raw []byte, g *anchor.Genesis, optionsJSON string) *verdict.Verdict {
	var o options
	if optionsJSON != "" {
		if err := json.Unmarshal([]byte(optionsJSON), &o); err != nil {
			return &verdict.Verdict{Code: proof.ErrFormat, Message: "the page's options are not JSON: " + err.Error(), Chain: g.ChainID, Genesis: g.Hash}
		}
	}
	var vo verdict.Options
	if o.Event != "" {
		h, err := ledger.ParseHash(o.Event)
		if err != nil {
			return &verdict.Verdict{Code: verdict.ErrEvent, Message: "the event asked about is not a 64-hex hash: " + err.Error(), Chain: g.ChainID, Genesis: g.Hash}
		}
		vo.Event = &h
	}
	if o.FileSHA256 != "" {
		h, err := ledger.ParseHash(o.FileSHA256)
		if err != nil {
			return &verdict.Verdict{Code: proof.ErrCertificateFile, Message: "the file's SHA-256 is not 64 hex digits: " + err.Error(), Chain: g.ChainID, Genesis: g.Hash}
		}
		vo.File, vo.FileName = &h, o.FileName
	}
	for _, d := range o.Disclosures {
		ds, err := disclosure.ParseFile([]byte(d.Text))
		if err != nil {
			v := &verdict.Verdict{Chain: g.ChainID, Genesis: g.Hash, Code: call.ErrDisclosure, Message: d.Name + ": " + err.Error()}
			return v
		}
		vo.Disclosures = append(vo.Disclosures, verdict.DisclosureFile{Name: d.Name, Disclosures: ds})
	}
	return verdict.Check(raw, g, vo)
}

func errorJSON(format string, a ...any) string {
	b, _ := json.Marshal(map[string]string{"error": fmt.Sprintf(format, a...)})
	return string(b)
}

// genesisBytes decodes the genesis encoding's hex.
func genesisBytes(h string) ([]byte, error) {
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("the page's genesis encoding is not hex: %v", err)
	}
	return b, nil
}
