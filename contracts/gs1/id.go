package gs1

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is the kind of a traced object.
type Kind uint8

const (
	// Lot is a batch of a trade item: GTIN + lot number (AI 10), the EPC
	// class urn:epc:class:lgtin.
	Lot Kind = 1
	// Item is one serialised trade item: GTIN + serial (AI 21), an SGTIN.
	Item Kind = 2
	// Container is a logistic unit (case, pallet): an SSCC (AI 00).
	Container Kind = 3
	// Class is a whole trade item class: a GTIN with no lot or serial,
	// written urn:epc:idpat:sgtin:{cp}.{ref}.* or /01/{gtin}. It appears only
	// in quantity lists ("12 cases of product X, lot unknown").
	Class Kind = 4
	// ReturnableAsset is one returnable asset (a crate, a pallet box): a
	// GRAI with its serial (AI 8003), urn:epc:id:grai:{cp}.{type}.{serial}.
	ReturnableAsset Kind = 5
	// IndividualAsset is one individual asset (a truck, a reefer unit, a
	// data logger): a GIAI (AI 8004), urn:epc:id:giai:{cp}.{ref}.
	IndividualAsset Kind = 6
	// ServiceRelation names a service relation (AI 8018, a GSRN): a
	// farmer's membership of a programme, a loyalty account.
	ServiceRelation Kind = 7
)

func (k Kind) String() string {
	switch k {
	case Lot:
		return "lot"
	case Item:
		return "item"
	case Container:
		return "container"
	case Class:
		return "class"
	case ReturnableAsset:
		return "returnable asset"
	case IndividualAsset:
		return "individual asset"
	case ServiceRelation:
		return "service relation"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Custodial reports whether objects of the kind are held by someone:
// lots, items, containers and assets move between organisations; a class
// (many lots) and a service relation (not a physical thing) do not, and
// events only mention them.
func (k Kind) Custodial() bool { return k != Class && k != ServiceRelation }

// Container reports whether objects of the kind can hold others: SSCCs and
// assets (a crate of lots, a truck of pallets).
func (k Kind) CanContain() bool {
	return k == Container || k == ReturnableAsset || k == IndividualAsset
}

// Canonical host of the Digital Link URIs Qianchain records.
const DigitalLinkHost = "https://id.gs1.org"

// Limits of GS1 attribute values.
const (
	MaxLotLen     = 20
	MaxSerialLen  = 20
	MaxGLNExtLen  = 20
	MaxGRAISerial = 16
	MaxGIAILen    = 30
	// MaxKeyLen is the longest key an ObjectID holds (a GIAI).
	MaxKeyLen = MaxGIAILen
)

// ObjectID names a traced object: a lot, an item or a container, an
// asset, or an identifier events only mention (a product class, a service
// relation).
type ObjectID struct {
	Kind Kind
	// Key is the GTIN-14 (Lot, Item, Class), the SSCC (Container), the
	// GRAI's 14 digits without serial (ReturnableAsset), the GIAI
	// (IndividualAsset) or the GSRN (ServiceRelation).
	Key string
	// Ext is the lot number (Lot), serial number (Item, ReturnableAsset),
	// else "".
	Ext string
}

// URI is the canonical Digital Link form: /01/{gtin}/10/{lot},
// /01/{gtin}/21/{serial} or /00/{sscc} on id.gs1.org.
func (o ObjectID) URI() string {
	switch o.Kind {
	case Lot:
		return DigitalLinkHost + "/01/" + o.Key + "/10/" + escape(o.Ext)
	case Item:
		return DigitalLinkHost + "/01/" + o.Key + "/21/" + escape(o.Ext)
	case Class:
		return DigitalLinkHost + "/01/" + o.Key
	case ReturnableAsset:
		return DigitalLinkHost + "/8003/" + o.Key + escape(o.Ext)
	case IndividualAsset:
		return DigitalLinkHost + "/8004/" + escape(o.Key)
	case ServiceRelation:
		return DigitalLinkHost + "/8018/" + o.Key
	default:
		return DigitalLinkHost + "/00/" + o.Key
	}
}

// PrefixRegion is the part of the key that starts with its GS1 company
// prefix: after the indicator or extension digit of a GTIN, SSCC or GRAI;
// the whole key of a GIAI or GSRN.
func (o ObjectID) PrefixRegion() string {
	switch o.Kind {
	case IndividualAsset, ServiceRelation:
		return o.Key
	}
	return PrefixRegion(o.Key)
}

// Path is the URI's path without the host, e.g. "/01/06923103000014/10/A1";
// product pages are served at this path.
func (o ObjectID) Path() string { return strings.TrimPrefix(o.URI(), DigitalLinkHost) }

func (o ObjectID) String() string { return o.URI() }

// Validate checks the key and the attribute.
func (o ObjectID) Validate() error {
	switch o.Kind {
	case Lot:
		if err := ValidateGTIN14(o.Key); err != nil {
			return err
		}
		return ValidateAttribute("lot number", o.Ext, MaxLotLen)
	case Item:
		if err := ValidateGTIN14(o.Key); err != nil {
			return err
		}
		return ValidateAttribute("serial number", o.Ext, MaxSerialLen)
	case Container:
		if o.Ext != "" {
			return errors.New("an SSCC has no attribute")
		}
		return ValidateSSCC(o.Key)
	case Class:
		if o.Ext != "" {
			return errors.New("a product class has no attribute")
		}
		return ValidateGTIN14(o.Key)
	case ReturnableAsset:
		if err := ValidateGRAI(o.Key); err != nil {
			return err
		}
		return ValidateAttribute("GRAI serial", o.Ext, MaxGRAISerial)
	case IndividualAsset:
		if o.Ext != "" {
			return errors.New("a GIAI has no attribute")
		}
		return ValidateGIAI(o.Key)
	case ServiceRelation:
		if o.Ext != "" {
			return errors.New("a GSRN has no attribute")
		}
		return ValidateGSRN(o.Key)
	}
	return fmt.Errorf("unknown object kind %d", o.Kind)
}

// Location is a physical location: a GLN and an optional extension (AI 254).
type Location struct {
	GLN string
	Ext string
}

// URI is the canonical Digital Link form /414/{gln}[/254/{ext}].
func (l Location) URI() string {
	u := DigitalLinkHost + "/414/" + l.GLN
	if l.Ext != "" {
		u += "/254/" + escape(l.Ext)
	}
	return u
}

// PartyURI is the canonical Digital Link form of a party GLN: /417/{gln}.
func PartyURI(gln string) string { return DigitalLinkHost + "/417/" + gln }

// ErrNotGS1 is wrapped by parse errors for URIs that are not a GS1
// identifier of the expected kind (as opposed to a malformed one, which is a
// *KeyError).
var ErrNotGS1 = errors.New("not a supported GS1 identifier")

func notGS1(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotGS1, fmt.Sprintf(format, args...))
}

// ParseObjectID parses an EPC URN (urn:epc:id:sgtin, urn:epc:id:sscc,
// urn:epc:class:lgtin) or a Digital Link URI (/01/{gtin}/10/{lot},
// /01/{gtin}/21/{serial}, /00/{sscc}).
func ParseObjectID(s string) (ObjectID, error) {
	if strings.HasPrefix(s, "urn:") {
		return parseObjectURN(s)
	}
	dl, err := ParseDigitalLink(s)
	if err != nil {
		return ObjectID{}, err
	}
	if dl.Query != "" {
		return ObjectID{}, notGS1("%s: an identifier must not carry a query string", s)
	}
	var o ObjectID
	switch dl.Primary {
	case "01":
		var lot, serial string
		for _, q := range dl.Qualifiers {
			switch q.AI {
			case "10":
				lot = q.Value
			case "21":
				serial = q.Value
			default:
				return ObjectID{}, notGS1("%s: qualifier AI %s is not traced (use /10/{lot} or /21/{serial})", s, q.AI)
			}
		}
		switch {
		case lot != "" && serial != "":
			return ObjectID{}, notGS1("%s: name either a lot (/10/) or an item (/21/), not both", s)
		case lot != "":
			o = ObjectID{Kind: Lot, Key: dl.Key, Ext: lot}
		case serial != "":
			o = ObjectID{Kind: Item, Key: dl.Key, Ext: serial}
		default:
			// A bare GTIN names the product class; where a class is not
			// acceptable the caller says so.
			o = ObjectID{Kind: Class, Key: dl.Key}
		}
	case "00":
		o = ObjectID{Kind: Container, Key: dl.Key}
	case "8003":
		o = ObjectID{Kind: ReturnableAsset, Key: dl.Key[:14], Ext: dl.Key[14:]}
		if o.Ext == "" {
			return ObjectID{}, notGS1("%s: a GRAI without serial names an asset type; add the serial after the 14 digits", s)
		}
	case "8004":
		o = ObjectID{Kind: IndividualAsset, Key: dl.Key}
	case "8018":
		o = ObjectID{Kind: ServiceRelation, Key: dl.Key}
	default:
		return ObjectID{}, notGS1("%s: primary key AI %s is not a traced object (01 GTIN, 00 SSCC, 8003 GRAI, 8004 GIAI or 8018 GSRN)", s, dl.Primary)
	}
	return o, o.Validate()
}

// ParseLocation parses urn:epc:id:sgln:{cp}.{loc}.{ext} or a Digital Link
// /414/{gln}[/254/{ext}].
func ParseLocation(s string) (Location, error) {
	if strings.HasPrefix(s, "urn:") {
		body, ok := strings.CutPrefix(s, "urn:epc:id:sgln:")
		if !ok {
			return Location{}, notGS1("%s is not an SGLN URN", s)
		}
		parts := strings.Split(body, ".")
		if len(parts) != 3 {
			return Location{}, notGS1("%s: an SGLN URN has three dot-separated parts", s)
		}
		gln, err := joinKey("GLN", s, parts[0], parts[1], 12)
		if err != nil {
			return Location{}, err
		}
		ext, err := unescapeURN(parts[2])
		if err != nil {
			return Location{}, notGS1("%s: %v", s, err)
		}
		if ext == "0" {
			ext = ""
		}
		if ext != "" {
			if err := ValidateAttribute("GLN extension", ext, MaxGLNExtLen); err != nil {
				return Location{}, err
			}
		}
		return Location{GLN: gln, Ext: ext}, nil
	}
	dl, err := ParseDigitalLink(s)
	if err != nil {
		return Location{}, err
	}
	if dl.Primary != "414" || dl.Query != "" {
		return Location{}, notGS1("%s is not a location (/414/{gln})", s)
	}
	l := Location{GLN: dl.Key}
	for _, q := range dl.Qualifiers {
		if q.AI != "254" {
			return Location{}, notGS1("%s: qualifier AI %s does not belong to a GLN", s, q.AI)
		}
		l.Ext = q.Value
	}
	if l.Ext != "" {
		if err := ValidateAttribute("GLN extension", l.Ext, MaxGLNExtLen); err != nil {
			return Location{}, err
		}
	}
	return l, nil
}

// ParsePartyGLN returns the GLN a party identifier names: a PGLN URN
// (urn:epc:id:pgln), an SGLN URN, or a Digital Link /417/{gln} or
// /414/{gln}.
func ParsePartyGLN(s string) (string, error) {
	if body, ok := strings.CutPrefix(s, "urn:epc:id:pgln:"); ok {
		parts := strings.Split(body, ".")
		if len(parts) != 2 {
			return "", notGS1("%s: a PGLN URN has two dot-separated parts", s)
		}
		return joinKey("GLN", s, parts[0], parts[1], 12)
	}
	if strings.HasPrefix(s, "urn:") {
		l, err := ParseLocation(s)
		return l.GLN, err
	}
	dl, err := ParseDigitalLink(s)
	if err != nil {
		return "", err
	}
	if (dl.Primary != "417" && dl.Primary != "414") || dl.Query != "" {
		return "", notGS1("%s is not a party or location GLN (/417/ or /414/)", s)
	}
	return dl.Key, nil
}

func parseObjectURN(s string) (ObjectID, error) {
	var scheme, body string
	switch {
	case strings.HasPrefix(s, "urn:epc:id:sgtin:"):
		scheme, body = "sgtin", s[len("urn:epc:id:sgtin:"):]
	case strings.HasPrefix(s, "urn:epc:class:lgtin:"):
		scheme, body = "lgtin", s[len("urn:epc:class:lgtin:"):]
	case strings.HasPrefix(s, "urn:epc:id:sscc:"):
		scheme, body = "sscc", s[len("urn:epc:id:sscc:"):]
	case strings.HasPrefix(s, "urn:epc:idpat:sgtin:"):
		return parseClassPattern(s)
	case strings.HasPrefix(s, "urn:epc:idpat:"):
		return ObjectID{}, notGS1("%s is a pattern Qianchain does not record; of the EPC class patterns only urn:epc:idpat:sgtin:{cp}.{ref}.* (a whole product class) is", s)
	case strings.HasPrefix(s, "urn:epc:id:grai:"), strings.HasPrefix(s, "urn:epc:id:giai:"), strings.HasPrefix(s, "urn:epc:id:gsrn:"):
		return parseAssetURN(s)
	default:
		return ObjectID{}, notGS1("%s is not a traced object (sgtin, lgtin, sscc, grai, giai, gsrn or an sgtin class pattern)", s)
	}
	parts := strings.Split(body, ".")
	switch scheme {
	case "sscc":
		if len(parts) != 2 {
			return ObjectID{}, notGS1("%s: an SSCC URN has two dot-separated parts", s)
		}
		// SSCC = extension digit, company prefix, rest of serial
		// reference, check digit; the URN's serial reference starts with
		// the extension digit.
		cp, ref := parts[0], parts[1]
		if !allDigits(cp) || !allDigits(ref) || len(cp)+len(ref) != 17 {
			return ObjectID{}, &KeyError{Kind: "SSCC", Value: s, Reason: "company prefix and serial reference must be 17 digits together"}
		}
		d := ref[:1] + cp + ref[1:]
		o := ObjectID{Kind: Container, Key: d + string(CheckDigit(d))}
		return o, o.Validate()
	default:
		if len(parts) != 3 {
			return ObjectID{}, notGS1("%s: an %s URN has three dot-separated parts", s, strings.ToUpper(scheme))
		}
		cp, ref := parts[0], parts[1]
		if !allDigits(cp) || !allDigits(ref) || len(cp)+len(ref) != 13 || len(cp) < 6 {
			return ObjectID{}, &KeyError{Kind: "GTIN", Value: s, Reason: "company prefix (6-12 digits) and indicator/item reference must be 13 digits together"}
		}
		d := ref[:1] + cp + ref[1:]
		gtin := d + string(CheckDigit(d))
		ext, err := unescapeURN(parts[2])
		if err != nil {
			return ObjectID{}, notGS1("%s: %v", s, err)
		}
		o := ObjectID{Kind: Item, Key: gtin, Ext: ext}
		if scheme == "lgtin" {
			o.Kind = Lot
		}
		return o, o.Validate()
	}
}

// joinKey builds a GLN from a URN's company prefix and reference and adds
// the check digit.
func joinKey(kind, s, cp, ref string, n int) (string, error) {
	if !allDigits(cp) || (ref != "" && !allDigits(ref)) || len(cp)+len(ref) != n {
		return "", &KeyError{Kind: kind, Value: s, Reason: fmt.Sprintf("company prefix and reference must be %d digits together", n)}
	}
	d := cp + ref
	return d + string(CheckDigit(d)), nil
}

// unescapeURN decodes %XX escapes in an EPC URN component.
func unescapeURN(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errors.New("truncated %-escape")
		}
		v, ok := unhex(s[i+1], s[i+2])
		if !ok {
			return "", errors.New("bad %-escape")
		}
		b.WriteByte(v)
		i += 2
	}
	return b.String(), nil
}

func unhex(a, b byte) (byte, bool) {
	h := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		}
		return 0, false
	}
	x, ok1 := h(a)
	y, ok2 := h(b)
	return x<<4 | y, ok1 && ok2
}

// escape percent-encodes every byte outside RFC 3986's unreserved set, so
// that a lot number has one spelling in a canonical URI.
func escape(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// ParseLocationURI is the canonical location URI of a parsed /414/ Digital
// Link.
func ParseLocationURI(dl *DigitalLink) string {
	l := Location{GLN: dl.Key}
	for _, q := range dl.Qualifiers {
		if q.AI == "254" {
			l.Ext = q.Value
		}
	}
	return l.URI()
}
