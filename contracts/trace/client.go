//go:build !js

package trace

import (
	"fmt"
	"io"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/disclosure"
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/state"
	"github.com/qianchain/qianchain/ledger"
)

// CaptureOptions tunes PrepareCapture.
//
// The client side of captures (this file) is not built for the browser
// (GOOS=js): the browser verifier reads recorded events and prepares none,
// and epcis.Schema, which this file uses, is not built there either.
type CaptureOptions struct {
	// Schema, when set, validates the document against the GS1 EPCIS 2.0
	// JSON schema first (ERR_EPCIS_SCHEMA).
	Schema *epcis.Schema
	// Org, when set, is the sender's organisation as the chain records it:
	// identifiers the event would create must carry one of its company
	// prefixes (ERR_PREFIX_NOT_OWNED), and only farms and cooperatives
	// commission lots (ERR_ROLE). Custody and existence need the chain
	// state and are checked at execution.
	Org *membership.Org
	// Salt is the source of personal-data salts (nil: crypto/rand).
	Salt io.Reader
}

// Capture is a document turned into transactions to sign: one trace.capture
// payload per event, in document order.
type Capture struct {
	Events      []*epcis.Event
	Payloads    [][]byte
	Disclosures [][]disclosure.Disclosure // per event; keep them off chain
}

// PrepareCapture turns an EPCIS 2.0 JSON-LD document into trace.capture
// payloads, checking it as far as a client can: the GS1 schema, the
// document's structure and identifiers (epcis.Decode), and the sender's
// prefixes and roles. Each rejection is an *call.Error whose sentence names
// the event and field.
func PrepareCapture(doc []byte, opt CaptureOptions) (*Capture, error) {
	if opt.Schema != nil {
		if err := opt.Schema.Validate(doc); err != nil {
			return nil, err
		}
	}
	dec, err := epcis.Decode(doc, epcis.DecodeOptions{Salt: opt.Salt})
	if err != nil {
		return nil, err
	}
	out := &Capture{Events: dec.Events, Disclosures: dec.Disclosures}
	for i, ev := range dec.Events {
		if opt.Org != nil {
			if err := precheck(ev, opt.Org); err != nil {
				e, _ := call.AsError(err)
				return nil, call.Errorf(e.Code, "event %d: %s", i, e.Message)
			}
		}
		p := ev.Encode()
		if len(p) > ledger.MaxPayloadBytes {
			return nil, call.Errorf(call.ErrEPCISUnsupported, "event %d encodes to %d bytes, more than a transaction carries (%d)", i, len(p), ledger.MaxPayloadBytes)
		}
		out.Payloads = append(out.Payloads, p)
	}
	return out, nil
}

// precheck applies the rules that need only the sender's organisation.
func precheck(ev *epcis.Event, org *membership.Org) error {
	var created []gs1.ObjectID
	switch {
	case ev.ErrorDeclaration != nil:
		return nil // a re-capture of a recorded event: the contract checks who may declare
	case ev.Type == epcis.ObjectEvent && ev.Action == epcis.Add:
		created = concat(ev.EPCList, lotIDs(ev.QuantityList))
		for _, id := range created {
			if id.Kind == gs1.Lot && !org.HasAny(commissionRoles...) {
				return call.Errorf(call.ErrRole, "only farms and cooperatives commission lots; %s is %v", org.ID, org.Roles)
			}
		}
	case ev.Type == epcis.TransformationEvent:
		if !org.HasAny(transformRoles...) {
			return call.Errorf(call.ErrRole, "only farms, cooperatives and processors transform; %s is %v", org.ID, org.Roles)
		}
		created = concat(ev.OutputEPCList, lotIDs(ev.OutputQuantityList))
	case ev.Type == epcis.ObjectEvent && ev.Disposition == "recalled":
		if !org.Has(membership.Regulator) {
			return call.Errorf(call.ErrRole, "only a regulator recalls; %s is %v", org.ID, org.Roles)
		}
	}
	for _, id := range created {
		if id.Kind.Custodial() && !org.OwnsObject(id) {
			return call.Errorf(call.ErrPrefixNotOwned, "%s: the company prefix of %s is not one of %s's (%v)", id, id.Key, org.ID, org.Prefixes)
		}
	}
	return nil
}

// Recorded returns an object's history as epcis.Recorded values, oldest
// first, as an EPCIS repository returns corrected events: an error
// declaration is not an event of its own but the errorDeclaration of the
// event it declares erroneous (Recorded.Declared, with the declaration's
// provenance, so a verifier still finds every link of the hash chain).
func Recorded(r state.Store, id gs1.ObjectID) ([]epcis.Recorded, error) {
	recs, err := History(r, id)
	if err != nil {
		return nil, err
	}
	out := make([]epcis.Recorded, 0, len(recs))
	for _, rec := range recs {
		er, err := recorded(rec)
		if err != nil {
			return nil, err
		}
		if er.Event.ErrorDeclaration != nil {
			continue // carried by the event it declares erroneous
		}
		if d, ok, err := DeclaredBy(r, er.Hash); err != nil {
			return nil, err
		} else if ok {
			drec, err := GetRecord(r, d)
			if err != nil || drec == nil {
				return nil, fmt.Errorf("trace: declaration %s of %s: missing (%v)", d, er.Hash, err)
			}
			de, err := recorded(drec)
			if err != nil {
				return nil, err
			}
			er.Declared = &de
		}
		out = append(out, er)
	}
	return out, nil
}

func recorded(rec *Record) (epcis.Recorded, error) {
	ev, err := rec.Event()
	if err != nil {
		return epcis.Recorded{}, fmt.Errorf("trace: recorded event does not decode: %w", err)
	}
	er := epcis.Recorded{Event: ev, Hash: rec.Hash(), RecordTime: rec.Time, Org: rec.Org, Height: rec.Height, TxHash: rec.TxHash}
	for _, l := range rec.Links {
		er.Prev = append(er.Prev, epcis.PrevLink{Object: l.Object.URI(), Prev: l.Prev})
	}
	return er, nil
}

// QueryDocument returns an object's history as an EPCIS 2.0
// EPCISQueryDocument, or an ERR_UNKNOWN_OBJECT error.
func QueryDocument(r state.Store, id gs1.ObjectID, opt epcis.QueryOptions) ([]byte, error) {
	o, err := GetObject(r, id)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, call.Errorf(call.ErrUnknownObject, "%s has not been commissioned", id)
	}
	evs, err := Recorded(r, id)
	if err != nil {
		return nil, err
	}
	return epcis.QueryDocument(evs, opt), nil
}
