package gs1

import (
	"fmt"
	"strings"
)

// The GS1 keys of assets and service relations, and the product class
// pattern: the identifiers beyond GTIN, SSCC and GLN that food chains use in
// EPCIS events (GRAI for returnable crates, GIAI for trucks and data
// loggers, GSRN for service relations).

// ValidateGRAI checks the 14 digits of a GRAI before its serial: a zero
// filler, company prefix and asset type (12 digits), check digit.
func ValidateGRAI(s string) error {
	if err := checkKey("GRAI", s, 14); err != nil {
		return err
	}
	if s[0] != '0' {
		return &KeyError{Kind: "GRAI", Value: s, Reason: "must start with the filler digit 0"}
	}
	return nil
}

// ValidateGSRN checks an 18-digit Global Service Relation Number.
func ValidateGSRN(s string) error { return checkKey("GSRN", s, 18) }

// ValidateGIAI checks a Global Individual Asset Identifier: a company
// prefix (at least 4 digits) and an asset reference, 30 characters of
// character set 82 at most.
func ValidateGIAI(s string) error {
	if bad, at, ok := firstBad(s, charset82); ok {
		return &KeyError{Kind: "GIAI", Value: s, Reason: fmt.Sprintf("character %d, %s, is not in GS1 character set 82", at, bad)}
	}
	if len(s) < 5 || len(s) > MaxGIAILen {
		return &KeyError{Kind: "GIAI", Value: s, Reason: fmt.Sprintf("must be 5 to %d characters, has %d", MaxGIAILen, len(s))}
	}
	if !allDigits(s[:4]) {
		return &KeyError{Kind: "GIAI", Value: s, Reason: "must start with its company prefix (digits)"}
	}
	return nil
}

// OwnsObject reports whether company prefix p is the prefix of the
// object's key.
func OwnsObject(p string, o ObjectID) bool { return strings.HasPrefix(o.PrefixRegion(), p) }

// parseClassPattern parses urn:epc:idpat:sgtin:{cp}.{ref}.*, the class of
// every instance of one GTIN.
func parseClassPattern(s string) (ObjectID, error) {
	parts := strings.Split(strings.TrimPrefix(s, "urn:epc:idpat:sgtin:"), ".")
	if len(parts) != 3 || parts[2] != "*" {
		return ObjectID{}, notGS1("%s: of the SGTIN patterns only the whole class, {cp}.{ref}.*, is recorded", s)
	}
	gtin, err := gtinFromURN(s, parts[0], parts[1])
	if err != nil {
		return ObjectID{}, err
	}
	o := ObjectID{Kind: Class, Key: gtin}
	return o, o.Validate()
}

func gtinFromURN(s, cp, ref string) (string, error) {
	if !allDigits(cp) || !allDigits(ref) || len(cp)+len(ref) != 13 || len(cp) < 6 {
		return "", &KeyError{Kind: "GTIN", Value: s, Reason: "company prefix (6-12 digits) and indicator/item reference must be 13 digits together"}
	}
	d := ref[:1] + cp + ref[1:]
	return d + string(CheckDigit(d)), nil
}

// parseAssetURN parses urn:epc:id:grai:{cp}.{type}.{serial},
// urn:epc:id:giai:{cp}.{ref} and urn:epc:id:gsrn:{cp}.{ref}.
func parseAssetURN(s string) (ObjectID, error) {
	scheme := s[len("urn:epc:id:") : len("urn:epc:id:")+4]
	parts := strings.Split(s[len("urn:epc:id:")+5:], ".")
	var o ObjectID
	switch scheme {
	case "grai":
		if len(parts) != 3 {
			return o, notGS1("%s: a GRAI URN has three dot-separated parts (a GRAI without serial names an asset type, not an asset)", s)
		}
		if !allDigits(parts[0]) || (parts[1] != "" && !allDigits(parts[1])) || len(parts[0])+len(parts[1]) != 12 {
			return o, &KeyError{Kind: "GRAI", Value: s, Reason: "company prefix and asset type must be 12 digits together"}
		}
		d := "0" + parts[0] + parts[1]
		serial, err := unescapeURN(parts[2])
		if err != nil {
			return o, notGS1("%s: %v", s, err)
		}
		o = ObjectID{Kind: ReturnableAsset, Key: d + string(CheckDigit(d)), Ext: serial}
	case "giai":
		if len(parts) != 2 || !allDigits(parts[0]) {
			return o, notGS1("%s: a GIAI URN is {company prefix}.{asset reference}", s)
		}
		ref, err := unescapeURN(parts[1])
		if err != nil {
			return o, notGS1("%s: %v", s, err)
		}
		o = ObjectID{Kind: IndividualAsset, Key: parts[0] + ref}
	default: // gsrn
		if len(parts) != 2 {
			return o, notGS1("%s: a GSRN URN has two dot-separated parts", s)
		}
		k, err := joinKey("GSRN", s, parts[0], parts[1], 17)
		if err != nil {
			return o, err
		}
		o = ObjectID{Kind: ServiceRelation, Key: k}
	}
	return o, o.Validate()
}
