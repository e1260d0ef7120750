package genesis

import (
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"
)

// MaxObservers bounds the founding members' observer nodes.
const MaxObservers = 1000

// validateNodes checks the observers and what validators and observers
// share: names and peer ids unique across both lists, and organisation
// references that name a founding organisation. (validateValidators has
// checked the validators on their own.)
func (d *Doc) validateNodes() error {
	orgs := map[string]bool{}
	for _, o := range d.Organisations {
		orgs[o.ID] = true
	}
	names := map[string]string{}
	peers := map[peer.ID]string{}
	// Every validator names the organisation that runs it (governance of
	// the validator set acts through it): one of the founding
	// organisations, or none on a chain without organisations.
	for i, v := range d.Validators {
		f := fmt.Sprintf("validators[%d]", i)
		names[v.Name], peers[v.PeerID] = f, f
		switch {
		case len(orgs) == 0 && v.Org != "":
			return fieldErr(f+".org", "%q names an organisation, but the genesis has none", v.Org)
		case len(orgs) > 0 && v.Org == "":
			return fieldErr(f+".org", "missing: the id of the organisation that runs the validator")
		case len(orgs) > 0 && !orgs[v.Org]:
			return fieldErr(f+".org", "%q is not the id of a founding organisation", v.Org)
		}
	}
	if len(d.Observers) > MaxObservers {
		return fieldErr("observers", "%d observers, at most %d", len(d.Observers), MaxObservers)
	}
	for i, o := range d.Observers {
		f := fmt.Sprintf("observers[%d]", i)
		if !validLabel(o.Name, MaxValidatorNameLen) {
			return fieldErr(f+".name", "%q must be 1 to %d characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit", o.Name, MaxValidatorNameLen)
		}
		if other, dup := names[o.Name]; dup {
			return fieldErr(f+".name", "%q is also the name of %s", o.Name, other)
		}
		names[o.Name] = f
		if o.Org == "" {
			return fieldErr(f+".org", "missing: an observer is a founding organisation's node")
		}
		if !orgs[o.Org] {
			return fieldErr(f+".org", "%q is not the id of a founding organisation", o.Org)
		}
		if err := o.PeerID.Validate(); err != nil {
			return fieldErr(f+".peer_id", "%v", err)
		}
		if _, err := o.PeerID.ExtractPublicKey(); err != nil {
			return fieldErr(f+".peer_id", "%s does not embed its public key (use an Ed25519 node key): %v", o.PeerID, err)
		}
		if other, dup := peers[o.PeerID]; dup {
			return fieldErr(f+".peer_id", "same peer id as %s", other)
		}
		peers[o.PeerID] = f
		if err := validateAddresses(f+".addresses", o.Addresses); err != nil {
			return err
		}
	}
	return nil
}

// validateJoins checks every organisation that carries join signatures: it
// has the one admin key of its request, exactly one node (validator or
// observer) names it, and the signatures verify over the request those
// entries make up.
func (d *Doc) validateJoins() error {
	for i := range d.Organisations {
		o := &d.Organisations[i]
		if o.Join == nil {
			continue
		}
		f := fmt.Sprintf("organisations[%d]", i)
		if len(o.Admins) != 1 {
			return fieldErr(f+".admins", "%d admin keys: an organisation founded by a join request has its request's one admin key", len(o.Admins))
		}
		r, nodes := d.requestOf(i)
		if nodes != 1 {
			return fieldErr(f+".join_signatures", "%d nodes name organisation %q: its join request brought exactly one (a validator or an observer)", nodes, o.ID)
		}
		if err := r.verifySignatures(); err != nil {
			err.Field = f + "." + err.Field
			return err
		}
	}
	return nil
}

// requestOf rebuilds the join request of organisation i from the
// document, and says how many nodes name the organisation (the request
// is whole only when exactly one does).
func (d *Doc) requestOf(i int) (*JoinRequest, int) {
	o := d.Organisations[i]
	r := &JoinRequest{ChainID: d.ChainID, Organisation: o}
	nodes := 0
	for k := range d.Validators {
		if d.Validators[k].Org == o.ID {
			v := d.Validators[k]
			r.Validator, nodes = &v, nodes+1
		}
	}
	for k := range d.Observers {
		if d.Observers[k].Org == o.ID {
			ob := d.Observers[k]
			r.Observer, nodes = &ob, nodes+1
		}
	}
	return r, nodes
}

// JoinRequests are the join requests the document was assembled from, in
// organisation order: one per organisation that carries join signatures.
// Call it on a validated Doc.
func (d *Doc) JoinRequests() []*JoinRequest {
	var out []*JoinRequest
	for i := range d.Organisations {
		if d.Organisations[i].Join != nil {
			r, _ := d.requestOf(i)
			out = append(out, r)
		}
	}
	return out
}

// TotalPower is the validators' summed voting power (at most 1000 x 2^50
// in a valid document: no overflow).
func (d *Doc) TotalPower() uint64 {
	var t uint64
	for _, v := range d.Validators {
		t += v.Power
	}
	return t
}
