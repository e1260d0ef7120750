// Package gs1 handles GS1 identification keys as Qianchain records them:
// check digits, GTIN normalisation to 14 digits, company prefixes, and the
// two ways EPCIS 2.0 writes identifiers — EPC URNs (urn:epc:id:sgtin:...)
// and GS1 Digital Link URIs (https://id.gs1.org/01/...).
//
// Qianchain stores every identifier it understands in one canonical form,
// the Digital Link URI on id.gs1.org (see ObjectID.URI, Location.URI), so
// that an identifier has exactly one encoding on chain whichever form a
// client submitted.
package gs1

import (
	"fmt"
	"strings"
)

// KeyError reports a malformed GS1 key: wrong length, a non-digit, or a
// wrong check digit.
type KeyError struct {
	Kind   string // "GTIN", "GLN", "SSCC", "company prefix"
	Value  string
	Reason string
}

func (e *KeyError) Error() string { return fmt.Sprintf("%s %q: %s", e.Kind, e.Value, e.Reason) }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckDigit computes the GS1 check digit of digits (the key without its
// check digit): weights 3,1,3,1,... from the right; check = (10 - sum mod
// 10) mod 10. digits must be all decimal digits.
func CheckDigit(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			sum += 3 * d
		} else {
			sum += d
		}
	}
	return byte('0' + (10-sum%10)%10)
}

func checkKey(kind, s string, lengths ...int) error {
	okLen := false
	for _, n := range lengths {
		okLen = okLen || len(s) == n
	}
	switch {
	case !okLen:
		want := fmt.Sprint(lengths[0])
		for _, n := range lengths[1:] {
			want += "/" + fmt.Sprint(n)
		}
		return &KeyError{Kind: kind, Value: s, Reason: fmt.Sprintf("must be %s digits, has %d characters", want, len(s))}
	case !allDigits(s):
		return &KeyError{Kind: kind, Value: s, Reason: "must be decimal digits only"}
	}
	if c := CheckDigit(s[:len(s)-1]); c != s[len(s)-1] {
		return &KeyError{Kind: kind, Value: s, Reason: fmt.Sprintf("check digit is %c, should be %c", s[len(s)-1], c)}
	}
	return nil
}

// NormalizeGTIN validates a GTIN-8, -12, -13 or -14 and returns it as 14
// digits (left-padded with zeros).
func NormalizeGTIN(s string) (string, error) {
	if err := checkKey("GTIN", s, 8, 12, 13, 14); err != nil {
		return "", err
	}
	return strings.Repeat("0", 14-len(s)) + s, nil
}

// ValidateGTIN14 checks a 14-digit GTIN.
func ValidateGTIN14(s string) error { return checkKey("GTIN", s, 14) }

// ValidateGLN checks a 13-digit Global Location Number.
func ValidateGLN(s string) error { return checkKey("GLN", s, 13) }

// ValidateSSCC checks an 18-digit Serial Shipping Container Code.
func ValidateSSCC(s string) error { return checkKey("SSCC", s, 18) }

// ValidateCompanyPrefix checks a GS1 company prefix: 4 to 12 digits.
func ValidateCompanyPrefix(p string) error {
	if len(p) < 4 || len(p) > 12 || !allDigits(p) {
		return &KeyError{Kind: "company prefix", Value: p, Reason: "must be 4 to 12 decimal digits"}
	}
	return nil
}

// PrefixRegion is the part of a key in which its company prefix starts: a
// GTIN-14 and an SSCC carry an indicator or extension digit first; a GLN
// starts with the prefix. An organisation owns a key when the region starts
// with one of its company prefixes.
func PrefixRegion(key string) string {
	switch len(key) {
	case 14, 18:
		return key[1:]
	default:
		return key
	}
}

// Owns reports whether company prefix p is the prefix of key.
func Owns(p, key string) bool { return strings.HasPrefix(PrefixRegion(key), p) }

// PrefixesOverlap reports whether one of a and b is a prefix of the other:
// two organisations must never hold overlapping prefixes, or a key would
// have two owners.
func PrefixesOverlap(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) }

// charset82 reports whether c is in GS1 AI encodable character set 82, the
// characters allowed in lot numbers and serial numbers.
func charset82(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte(`!"%&'()*+,-./:;<=>?_`, c) >= 0
}

// ValidateAttribute checks a lot number (AI 10), serial number (AI 21) or
// GLN extension (AI 254): 1 to max characters of character set 82.
func ValidateAttribute(kind, s string, max int) error {
	if len(s) == 0 || len(s) > max {
		return &KeyError{Kind: kind, Value: s, Reason: fmt.Sprintf("must be 1 to %d characters", max)}
	}
	for i := 0; i < len(s); i++ {
		if !charset82(s[i]) {
			return &KeyError{Kind: kind, Value: s, Reason: fmt.Sprintf("character %q is not in GS1 character set 82", s[i])}
		}
	}
	return nil
}
