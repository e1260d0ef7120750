package genesis

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Check is what each founding organisation runs on the genesis document a
// coordinator assembled, before starting its node (`qian consortium
// check`): that every entry of d came from a join request whose signatures
// hold (so the coordinator altered or added nothing), and that each of
// mine, the organisation's own requests, is in d unchanged and for d's
// chain. d must have been validated (Load, Parse), which verified the
// signatures of every request d carries. Refusals are *CeremonyError.
//
// What Check cannot see is the coordinator leaving a request out, or
// choosing the consensus parameters and genesis time: those, and the
// genesis hash that covers them, are what the organisations compare by
// another channel.
func Check(d *Doc, mine []*JoinRequest) error {
	for i, o := range d.Organisations {
		if o.Join == nil {
			return ceremonyErr(CodeUnsigned, "organisations[%d] %q carries no join signatures: no join request founded it, so the coordinator added it", i, o.ID)
		}
	}
	for i, v := range d.Validators {
		if v.Org == "" {
			return ceremonyErr(CodeUnsigned, "validators[%d] %q names no organisation: no join request brought it, so the coordinator added it", i, v.Name)
		}
	}
	// Every validator and observer names an organisation with join
	// signatures, which (by Validate) exactly one node names: so each node
	// is the one its organisation's request brought.
	for _, r := range mine {
		if r.ChainID != d.ChainID {
			return ceremonyErr(CodeWrongChain, "join request %s was made for chain %q; this genesis is of chain %q", r.name(), r.ChainID, d.ChainID)
		}
		i := d.orgIndex(r.Organisation.ID)
		if i < 0 {
			return ceremonyErr(CodeRequestMissing, "organisation %q of join request %s is not in this genesis", r.Organisation.ID, r.name())
		}
		got, _ := d.requestOf(i)
		if field := requestDifference(r, got); field != "" {
			return ceremonyErr(CodeRequestAltered, "organisation %q of join request %s differs in this genesis at %s", r.Organisation.ID, r.name(), field)
		}
	}
	return nil
}

func (d *Doc) orgIndex(id string) int {
	for i := range d.Organisations {
		if d.Organisations[i].ID == id {
			return i
		}
	}
	return -1
}

// requestDifference returns the path, in the request file, of the first
// entry where two requests differ ("validator.power"), or "" when they are
// the same. Entries are compared before signatures, which differ whenever
// an entry does.
func requestDifference(a, b *JoinRequest) string {
	var x, y map[string]any
	if json.Unmarshal(a.JSON(), &x) != nil || json.Unmarshal(b.JSON(), &y) != nil {
		return "(file)"
	}
	sx := x["organisation"].(map[string]any)["join_signatures"]
	sy := y["organisation"].(map[string]any)["join_signatures"]
	delete(x["organisation"].(map[string]any), "join_signatures")
	delete(y["organisation"].(map[string]any), "join_signatures")
	if p := diffPath("", x, y); p != "" {
		return p
	}
	return diffPath("organisation.join_signatures", sx, sy)
}

func diffPath(path string, x, y any) string {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok {
			return path
		}
		keys := map[string]bool{}
		for k := range xv {
			keys[k] = true
		}
		for k := range yv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if p := diffPath(join(k), xv[k], yv[k]); p != "" {
				return p
			}
		}
		return ""
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return path
		}
		for i := range xv {
			if p := diffPath(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i]); p != "" {
				return p
			}
		}
		return ""
	default:
		if x != y {
			return path
		}
		return ""
	}
}
