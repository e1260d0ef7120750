package view

import (
	"strings"

	"github.com/qianchain/qianchain/contracts/demo"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
)

// PlaceInfo is what people call a location: the chain records only its GLN
// (and which organisation registered it). Names are GS1 master data that a
// deployment supplies off chain; pages show them beside the GLN, never
// instead of it.
type PlaceInfo struct {
	Name    string // e.g. 螺丝壳山三号茶园地块 (Luosike Mountain tea plot No. 3)
	Village string // village or town, for the origin panel
	Region  string // e.g. 贵州省黔南州都匀市 (Duyun, Qiannan, Guizhou)
}

// Places maps a GLN to its master data.
type Places map[string]PlaceInfo

// DemoPlaces is the master data of the demo organisations' sites
// (contracts/demo), which `qian devnet` runs.
func DemoPlaces() Places {
	const duyun = "贵州省黔南州都匀市 (Duyun, Qiannan, Guizhou)"
	const guiyang = "贵州省贵阳市 (Guiyang, Guizhou)"
	p := Places{}
	villages := map[string]string{
		demo.Farm.SiteGLN:  "毛尖镇螺丝壳 (Luosike, Maojian Town)",
		demo.Farm2.SiteGLN: "摆桑村 (Baisang Village)",
	}
	for _, o := range append(append([]demo.Org(nil), demo.Founding...), demo.Farm2) {
		region := duyun
		if strings.Contains(o.Site, "贵阳") {
			region = guiyang
		}
		name, _, _ := strings.Cut(o.Site, ", ")
		p[o.SiteGLN] = PlaceInfo{Name: name, Village: villages[o.SiteGLN], Region: region}
		p[o.PartyGLN] = PlaceInfo{Name: o.Name, Region: region}
	}
	return p
}

// Place is a location as pages show it.
type Place struct {
	URI     string `json:"uri"` // canonical Digital Link /414/{gln}
	GLN     string `json:"gln"`
	Name    string `json:"name,omitempty"`
	Village string `json:"village,omitempty"`
	Region  string `json:"region,omitempty"`
	Org     string `json:"org,omitempty"` // the organisation that registered the GLN
}

// place resolves a location URI (as an event records it).
func (r *Reader) place(uri string) *Place {
	if uri == "" {
		return nil
	}
	p := &Place{URI: uri}
	gln, err := gs1.ParsePartyGLN(uri)
	if err != nil {
		p.Name = uri
		return p
	}
	p.GLN = gln
	if info, ok := r.places[gln]; ok {
		p.Name, p.Village, p.Region = info.Name, info.Village, info.Region
	}
	if org, err := membership.OrgByGLN(r.st, gln); err == nil {
		p.Org = org
	}
	return p
}
