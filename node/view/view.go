// Package view assembles what the API and the pages show from a node's
// committed store: lots with their whole history, transactions with their
// decoded payloads and results, blocks, products, organisations and notary
// records. The JSON API (node/api) encodes these values as they are; the
// pages (node/web) render the same values as HTML, so both always say the
// same thing.
//
// A Reader only reads. It may be used from many goroutines at once: each
// call reads the store afresh (the store is safe for concurrent readers),
// and holds no state between calls. Values returned are owned by the
// caller.
package view

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qianchain/qianchain/contracts"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/trace"
	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger"
	"github.com/qianchain/qianchain/ledger/proof"
	"github.com/qianchain/qianchain/ledger/store"
)

// Reader builds views from a node's committed store.
type Reader struct {
	st      *store.Store
	doc     *genesis.Doc
	genesis ledger.Hash
	x       *contracts.Executor
	places  Places
	anchor  proof.Anchor // what Verify checks against; never changed after New
	archive []string     // archive nodes' base URLs named by ERR_PRUNED (pruned.go); never changed after New

	verified *verifiedCache // final verifications against anchor
}

// New returns a Reader over st for the chain of doc (whose hash is
// genesisHash). places names locations the chain knows only by GLN; nil
// uses DemoPlaces. archive lists the base URLs of archive nodes' APIs that
// an ERR_PRUNED error names (config storage.archive_urls; nil: none).
func New(st *store.Store, doc *genesis.Doc, genesisHash ledger.Hash, places Places, archive []string) (*Reader, error) {
	vals, err := doc.ValidatorSet()
	if err != nil {
		return nil, err
	}
	if places == nil {
		places = DemoPlaces()
	}
	// The pages verify as `qian verify` does: from genesis alone (its
	// identity and set), following the bundle's transitions. The anchor is
	// fixed here for the Reader's life, which the verified cache relies on.
	anchor := proof.Anchor{Chain: doc.Identity(), Validators: vals, Names: doc.ValidatorNames()}
	return &Reader{st: st, doc: doc, genesis: genesisHash, x: contracts.NewExecutor(), places: places, anchor: anchor,
		archive: append([]string(nil), archive...), verified: newVerifiedCache(maxVerified)}, nil
}

// Store is the store the reader reads.
func (r *Reader) Store() *store.Store { return r.st }

// ChainID is the chain's id.
func (r *Reader) ChainID() string { return r.doc.ChainID }

// Genesis returns the genesis document and its hash.
func (r *Reader) Genesis() (*genesis.Doc, ledger.Hash) { return r.doc, r.genesis }

// Error is a lookup that failed for a reason the caller should show: a
// stable code (ERR_NOT_FOUND, ERR_BAD_REQUEST, ...) and a sentence. Other
// errors mean the store failed.
type Error struct {
	Code    string
	Message string
	// First and Archive are set on ERR_PRUNED only (pruned.go): the lowest
	// height this node holds, and the archive nodes it names.
	First   uint64
	Archive []string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Codes of view errors.
const (
	ErrNotFound   = "ERR_NOT_FOUND"
	ErrBadRequest = "ERR_BAD_REQUEST"
	// ErrInvalidGTIN is a GTIN, SSCC or GLN with a bad length, character
	// or check digit (the contracts' code for the same fault).
	ErrInvalidGTIN = "ERR_INVALID_GTIN"
)

func notFound(format string, args ...any) error {
	return &Error{Code: ErrNotFound, Message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return &Error{Code: ErrBadRequest, Message: fmt.Sprintf(format, args...)}
}

// AsError returns the view error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ObjectRef names a traced object and where this node shows it.
type ObjectRef struct {
	ID     string `json:"id"`   // canonical Digital Link URI on id.gs1.org
	Kind   string `json:"kind"` // lot, item, container, class, returnable_asset, individual_asset or service_relation
	GTIN   string `json:"gtin,omitempty"`
	Lot    string `json:"lot,omitempty"`
	Serial string `json:"serial,omitempty"` // an item's serial, or a returnable asset's
	SSCC   string `json:"sscc,omitempty"`
	GRAI   string `json:"grai,omitempty"` // the 14 digits before a returnable asset's serial
	GIAI   string `json:"giai,omitempty"`
	GSRN   string `json:"gsrn,omitempty"`
	Path   string `json:"path"`           // this node's page, e.g. /01/{gtin}/10/{lot}
	Name   string `json:"name,omitempty"` // the product's registered name, when known
}

// KindName is how the API and the pages name an object kind: lot, item,
// container, class, returnable_asset, individual_asset, service_relation.
func KindName(k gs1.Kind) string { return strings.ReplaceAll(k.String(), " ", "_") }

func objectRef(o gs1.ObjectID) ObjectRef {
	ref := ObjectRef{ID: o.URI(), Kind: KindName(o.Kind), Path: o.Path()}
	switch o.Kind {
	case gs1.Lot:
		ref.GTIN, ref.Lot = o.Key, o.Ext
	case gs1.Item:
		ref.GTIN, ref.Serial = o.Key, o.Ext
	case gs1.Container:
		ref.SSCC = o.Key
	case gs1.Class:
		ref.GTIN = o.Key
	case gs1.ReturnableAsset:
		ref.GRAI, ref.Serial = o.Key, o.Ext
	case gs1.IndividualAsset:
		ref.GIAI = o.Key
	case gs1.ServiceRelation:
		ref.GSRN = o.Key
	}
	return ref
}

// ref returns an object's reference with a name: the registered product's
// for what a GTIN names, otherwise what the object is ("物流单元 SSCC …
// (logistic unit)").
func (r *Reader) ref(o gs1.ObjectID, names map[string]string) ObjectRef {
	ref := objectRef(o)
	switch o.Kind {
	case gs1.Container:
		ref.Name = "物流单元 SSCC " + o.Key + " (logistic unit)"
		return ref
	case gs1.ReturnableAsset:
		ref.Name = "周转箱 GRAI " + o.Key + " " + o.Ext + " (returnable asset)"
		return ref
	case gs1.IndividualAsset:
		ref.Name = "资产 GIAI " + o.Key + " (individual asset)"
		return ref
	case gs1.ServiceRelation:
		ref.Name = "服务关系 GSRN " + o.Key + " (service relation)"
		return ref
	}
	if names != nil {
		if n, ok := names[o.Key]; ok {
			ref.Name = n
			return ref
		}
	}
	if p, err := trace.GetProduct(r.st, o.Key); err == nil && p != nil {
		ref.Name = p.Name
	}
	if names != nil {
		names[o.Key] = ref.Name
	}
	return ref
}

// namesProduct reports whether the object's key is a GTIN, so that a
// registered product describes it.
func namesProduct(k gs1.Kind) bool { return k == gs1.Lot || k == gs1.Item || k == gs1.Class }

// OrgRef names an organisation.
type OrgRef struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

func (r *Reader) orgRef(id string, cache map[string]*OrgRef) *OrgRef {
	if id == "" {
		return nil
	}
	if cache != nil {
		if o, ok := cache[id]; ok {
			return o
		}
	}
	ref := &OrgRef{ID: id, Name: id, Roles: []string{}}
	if o, err := membership.GetOrg(r.st, id); err == nil && o != nil {
		ref.Name = o.Name
		for _, role := range o.Roles {
			ref.Roles = append(ref.Roles, string(role))
		}
	}
	if cache != nil {
		cache[id] = ref
	}
	return ref
}

// Has reports whether the organisation holds role.
func (o *OrgRef) Has(role string) bool {
	if o == nil {
		return false
	}
	for _, r := range o.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// FormatTime renders Unix nanoseconds in RFC 3339 at the given offset
// (minutes east of UTC).
func FormatTime(ns int64, offsetMin int) string {
	return time.Unix(0, ns).In(zone(offsetMin)).Format(time.RFC3339)
}

// blockTime renders a block time in UTC with nanoseconds.
func blockTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

func zone(offsetMin int) *time.Location {
	if offsetMin == 0 {
		return time.UTC
	}
	return time.FixedZone("", offsetMin*60)
}
