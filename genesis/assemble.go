package genesis

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// AssembleOptions are what the coordinator of a founding ceremony adds to
// the organisations' join requests.
type AssembleOptions struct {
	ChainID     string
	GenesisTime time.Time
	Consensus   ConsensusParams
}

// Assemble makes the genesis document of a consortium from its founding
// organisations' join requests (`qian consortium assemble`). It refuses,
// with a *CeremonyError naming the request files, a request that is
// invalid or whose signatures fail, one made for another chain id, and
// any two requests that found the same organisation or claim the same
// admin or validator key, peer id, node name, GS1 company prefix (or
// prefixes of which one begins the other) or GLN.
//
// The organisations are ordered by id, each followed in the validator or
// observer list by its node, so the result does not depend on the order
// the requests are given in: anyone holding the same requests and options
// assembles the same document, and the same genesis hash.
func Assemble(reqs []*JoinRequest, o AssembleOptions) (*Doc, error) {
	if len(reqs) == 0 {
		return nil, ceremonyErr(CodeNoValidators, "no join requests to assemble")
	}
	if err := ledger.ValidateChainID(o.ChainID); err != nil {
		return nil, fieldErr("chain_id", "%v", err)
	}
	for _, r := range reqs {
		if err := r.Validate(); err != nil {
			code := CodeInvalidRequest
			if fe, ok := err.(*FieldError); ok && fe.Code == CodeBadSignature {
				code = CodeBadSignature
			}
			return nil, ceremonyErr(code, "join request %s: %v", r.name(), strings.TrimPrefix(err.Error(), "genesis: "))
		}
		if r.ChainID != o.ChainID {
			return nil, ceremonyErr(CodeWrongChain, "join request %s was made for chain %q, not %q; its organisation must make a new request", r.name(), r.ChainID, o.ChainID)
		}
	}
	if err := conflicts(reqs); err != nil {
		return nil, err
	}
	sorted := append([]*JoinRequest(nil), reqs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Organisation.ID < sorted[j].Organisation.ID })
	d := &Doc{ChainID: o.ChainID, GenesisTime: o.GenesisTime.UTC(), Consensus: o.Consensus}
	for _, r := range sorted {
		d.Organisations = append(d.Organisations, r.Organisation)
		if r.Validator != nil {
			d.Validators = append(d.Validators, *r.Validator)
		} else {
			d.Observers = append(d.Observers, *r.Observer)
		}
	}
	if len(d.Validators) == 0 {
		return nil, ceremonyErr(CodeNoValidators, "none of the %d join requests brings a validator; a chain needs at least one", len(reqs))
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// name is how messages refer to a request: its file, else its organisation.
func (r *JoinRequest) name() string {
	if r.Source != "" {
		return r.Source
	}
	return fmt.Sprintf("of organisation %q", r.Organisation.ID)
}

// conflicts finds the first pair of requests that claim the same thing.
func conflicts(reqs []*JoinRequest) error {
	type claim struct {
		r    *JoinRequest
		what string
	}
	orgs := map[string]*JoinRequest{}
	keys := map[ledger.PublicKey]claim{}
	peers := map[peer.ID]*JoinRequest{}
	names := map[string]*JoinRequest{}
	glns := map[string]*JoinRequest{}
	type prefix struct {
		p string
		r *JoinRequest
	}
	var prefixes []prefix
	both := func(a, b *JoinRequest) string {
		if a.Source != "" && a.Source == b.Source {
			return fmt.Sprintf("%s is given twice", a.Source)
		}
		return fmt.Sprintf("%s and %s", a.name(), b.name())
	}
	for _, r := range reqs {
		o := &r.Organisation
		if other, dup := orgs[o.ID]; dup {
			return ceremonyErr(CodeDuplicateOrganisation, "%s: both found organisation %q", both(other, r), o.ID)
		}
		orgs[o.ID] = r
		mine := []claim{{r, "admin key"}}
		ks := []ledger.PublicKey{o.Admins[0]}
		if r.Validator != nil {
			mine = append(mine, claim{r, "validator key"})
			ks = append(ks, r.Validator.PubKey)
		}
		for i, k := range ks {
			if other, dup := keys[k]; dup {
				return ceremonyErr(CodeDuplicateKey, "%s: the %s of one is the %s of the other (%s); every organisation makes its own keys", both(other.r, r), mine[i].what, other.what, k)
			}
			keys[k] = mine[i]
		}
		name, _, id, _ := r.node()
		if other, dup := peers[id]; dup {
			return ceremonyErr(CodeDuplicatePeer, "%s: both name node peer id %s; every node has its own node key", both(other, r), id)
		}
		peers[id] = r
		if other, dup := names[name]; dup {
			return ceremonyErr(CodeDuplicateName, "%s: both name their node %q; one of them must choose another --moniker", both(other, r), name)
		}
		names[name] = r
		// A GLN lies under its organisation's prefixes, so two claims of
		// one GLN are also a prefix conflict; the GLN is named first, as
		// the more precise of the two.
		for _, g := range o.GLNs {
			if other, dup := glns[g]; dup && other != r {
				return ceremonyErr(CodeGLNConflict, "%s: both claim GLN %s", both(other, r), g)
			}
			glns[g] = r
		}
		for _, p := range o.GS1Prefixes {
			for _, q := range prefixes {
				if q.r == r {
					continue
				}
				if p == q.p {
					return ceremonyErr(CodePrefixConflict, "%s: both claim GS1 company prefix %s", both(q.r, r), p)
				}
				if strings.HasPrefix(p, q.p) || strings.HasPrefix(q.p, p) {
					return ceremonyErr(CodePrefixConflict, "%s: GS1 company prefixes %s and %s overlap, so the owner of a GTIN or GLN under the longer would be ambiguous", both(q.r, r), q.p, p)
				}
			}
			prefixes = append(prefixes, prefix{p, r})
		}
	}
	return nil
}
