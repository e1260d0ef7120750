package trace

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/codec"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/state"
)

// Product is a trade item registered under its GTIN by the organisation
// holding the GTIN's company prefix. Registration is optional: lots of an
// unregistered GTIN can be traced; pages show the name when there is one.
type Product struct {
	GTIN        string `json:"gtin"` // 14 digits
	Owner       string `json:"owner"`
	Name        string `json:"name"`        // e.g. "都匀毛尖 特级 250克 (Duyun Maojian, special grade, 250 g)"
	Description string `json:"description"` // free text
	Registered  uint64 `json:"registered"`  // height
}

// RegisterProduct is the payload of trace.register_product. Encoding:
// string GTIN (14 digits; ProductPayload normalises shorter GTINs), string
// name (1-200 bytes), string description (0-2000 bytes).
type RegisterProduct struct {
	GTIN        string `json:"gtin"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Limits of product fields.
const (
	MaxProductName = 200
	MaxProductDesc = 2000
)

// NewRegisterProduct builds a payload, normalising a GTIN-8/12/13 to 14
// digits.
func NewRegisterProduct(gtin, name, description string) (*RegisterProduct, error) {
	g, err := gs1.NormalizeGTIN(gtin)
	if err != nil {
		return nil, call.Errorf(call.ErrInvalidGTIN, "%v", err)
	}
	return &RegisterProduct{GTIN: g, Name: name, Description: description}, nil
}

func (p *RegisterProduct) Encode() []byte {
	e := &codec.Encoder{}
	e.String(p.GTIN)
	e.String(p.Name)
	e.String(p.Description)
	return e.Buf
}

// DecodeRegisterProduct decodes and checks the payload.
func DecodeRegisterProduct(b []byte) (*RegisterProduct, error) {
	d := codec.NewDecoder("trace.register_product payload", b)
	p := &RegisterProduct{GTIN: d.String("gtin", 14), Name: d.String("name", MaxProductName), Description: d.String("description", MaxProductDesc)}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	if err := gs1.ValidateGTIN14(p.GTIN); err != nil {
		return nil, call.Errorf(call.ErrInvalidGTIN, "%v", err)
	}
	if p.Name == "" || strings.TrimSpace(p.Name) != p.Name || !utf8.ValidString(p.Name) {
		return nil, call.Errorf(call.ErrInvalid, "product name must be 1-%d bytes without surrounding spaces", MaxProductName)
	}
	return p, nil
}

func (p *Product) encode() []byte {
	e := &codec.Encoder{}
	e.U8(1)
	e.String(p.GTIN)
	e.String(p.Owner)
	e.String(p.Name)
	e.String(p.Description)
	e.U64(p.Registered)
	return e.Buf
}

// GetProduct returns the product registered under a GTIN-14, or nil.
func GetProduct(r state.Store, gtin string) (*Product, error) {
	b, err := r.Get([]byte(productPrefix + gtin))
	if err != nil || b == nil {
		return nil, err
	}
	d := codec.NewDecoder("trace product", b)
	if v := d.U8("version"); d.Err() == nil && v != 1 {
		d.Fail("version", "unknown version %d", v)
	}
	p := &Product{GTIN: d.String("gtin", 14), Owner: d.String("owner", 32), Name: d.String("name", MaxProductName),
		Description: d.String("description", MaxProductDesc), Registered: d.U64("registered")}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("trace: corrupt product %s: %w", gtin, err)
	}
	return p, nil
}

// RunRegisterProduct executes trace.register_product.
func RunRegisterProduct(c *call.Context, who *membership.Caller, payload []byte) error {
	p, err := DecodeRegisterProduct(payload)
	if err != nil {
		return call.PayloadError(err)
	}
	if !who.Org.OwnsKey(p.GTIN) {
		return call.Errorf(call.ErrPrefixNotOwned, "GTIN %s: its company prefix is not one of %s's (%v)", p.GTIN, who.Org.ID, who.Org.Prefixes)
	}
	if old, err := GetProduct(c.State, p.GTIN); err != nil {
		return err
	} else if old != nil {
		return call.Errorf(call.ErrProductExists, "GTIN %s is already registered as %q", p.GTIN, old.Name)
	}
	pr := &Product{GTIN: p.GTIN, Owner: who.Org.ID, Name: p.Name, Description: p.Description, Registered: c.Block.Height}
	c.State.Set([]byte(productPrefix+p.GTIN), pr.encode())
	c.Emit("trace.product_registered", "gtin", p.GTIN, "org", who.Org.ID)
	return nil
}
