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
	"unicode/utf8"
)

// KeyError reports a malformed GS1 key — wrong length, a non-digit, a
// wrong check digit — or a malformed key qualifier or attribute (a lot or
// serial number, a GLN extension), which Qualifier marks: a bad lot is not
// a bad GTIN, and callers say which one is wrong.
type KeyError struct {
	Kind      string // "GTIN", "GLN", "SSCC", "company prefix", "lot number (AI 10)", ...
	Value     string
	Reason    string
	Qualifier bool // the value qualifies a key (AI 10, 21, 22, 254, a GRAI serial); the key itself may be fine
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
	if bad, at, ok := firstBad(s, isDigit); ok {
		return &KeyError{Kind: kind, Value: s, Reason: fmt.Sprintf("must be decimal digits only: character %d is %s", at, bad)}
	}
	if !okLen {
		want := fmt.Sprint(lengths[0])
		for _, n := range lengths[1:] {
			want += "/" + fmt.Sprint(n)
		}
		return &KeyError{Kind: kind, Value: s, Reason: fmt.Sprintf("must be %s digits, has %d", want, len(s))}
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

// charset82 reports whether r is in GS1 AI encodable character set 82, the
// characters allowed in lot numbers and serial numbers.
func charset82(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return true
	}
	return r < utf8.RuneSelf && strings.IndexByte(`!"%&'()*+,-./:;<=>?_`, byte(r)) >= 0
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// firstBad finds the first character of s that ok refuses, and names it
// for a message: the character itself and its code point ('批' (U+6279)),
// so that a Chinese lot number or a full-width digit is reported as the
// character a person typed, not as the first byte of its UTF-8 encoding.
// at counts characters from 1.
func firstBad(s string, ok func(rune) bool) (name string, at int, found bool) {
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w, at = n, at+1
		switch {
		case r == utf8.RuneError && n == 1:
			return fmt.Sprintf("byte 0x%02X, which is not UTF-8", s[i]), at, true
		case ok(r):
			continue
		case r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Sprintf("the control character U+%04X", r), at, true
		default:
			return fmt.Sprintf("'%c' (U+%04X)", r, r), at, true
		}
	}
	return "", 0, false
}

// ValidateAttribute checks a lot number (AI 10), serial number (AI 21) or
// GLN extension (AI 254): 1 to max characters of character set 82. The
// error is a KeyError marked Qualifier, naming kind.
func ValidateAttribute(kind, s string, max int) error {
	if bad, at, ok := firstBad(s, charset82); ok {
		return &KeyError{Kind: kind, Value: s, Qualifier: true, Reason: fmt.Sprintf("character %d, %s, is not in GS1 character set 82 (A-Z, a-z, 0-9 and !\"%%&'()*+,-./:;<=>?_)", at, bad)}
	}
	if len(s) == 0 || len(s) > max {
		return &KeyError{Kind: kind, Value: s, Qualifier: true, Reason: fmt.Sprintf("must be 1 to %d characters, has %d", max, len(s))}
	}
	return nil
}
