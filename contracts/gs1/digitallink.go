package gs1

import (
	"strings"
)

// AIValue is one application identifier and its value in a Digital Link
// path, e.g. {"10", "LOT1"}.
type AIValue struct {
	AI    string
	Value string
}

// DigitalLink is a parsed GS1 Digital Link URI (the uncompressed form).
type DigitalLink struct {
	Host       string    // scheme and host, e.g. "https://id.gs1.org"
	Primary    string    // primary key AI: "01", "00", "414", "417", ...
	Key        string    // the primary key, normalised (a GTIN to 14 digits)
	Qualifiers []AIValue // key qualifiers in path order
	Query      string    // the query string without '?', e.g. "17=261231"
}

// primary lists the primary-key AIs Qianchain parses and the qualifiers
// each allows, in the order the Digital Link standard requires.
var primary = map[string][]string{
	"01":   {"22", "10", "21"},
	"00":   nil,
	"414":  {"254"},
	"417":  nil,
	"8003": nil,
	"8004": nil,
	"8018": nil,
}

// qualifierAIs is every key qualifier AI; none may appear in the path
// before the primary key.
var qualifierAIs = map[string]bool{"22": true, "10": true, "21": true, "254": true, "235": true, "7040": true}

// ParseDigitalLink parses an uncompressed Digital Link URI whose primary
// key is a GTIN (01), SSCC (00), GLN (414), party GLN (417), GRAI (8003),
// GIAI (8004) or GSRN (8018). Check digits
// are verified and a GTIN-8/12/13 is normalised to 14 digits.
func ParseDigitalLink(s string) (*DigitalLink, error) {
	rest, ok := strings.CutPrefix(s, "https://")
	scheme := "https://"
	if !ok {
		rest, ok = strings.CutPrefix(s, "http://")
		scheme = "http://"
	}
	if !ok {
		return nil, notGS1("%s is neither an EPC URN nor an http(s) Digital Link URI", s)
	}
	dl := &DigitalLink{}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		dl.Query = rest[i+1:]
		rest = rest[:i]
	}
	if strings.ContainsAny(rest, "#") {
		return nil, notGS1("%s: a fragment is not allowed", s)
	}
	slash := strings.IndexByte(rest, '/')
	if slash <= 0 {
		return nil, notGS1("%s has no path", s)
	}
	dl.Host = scheme + rest[:slash]
	segs := strings.Split(rest[slash+1:], "/")
	// Find the primary key: the first segment that is a known primary AI
	// followed by a value. Anything before it is the resolver's path
	// prefix, which must not contain a key qualifier.
	start := -1
	for i := 0; i+1 < len(segs); i++ {
		if _, ok := primary[segs[i]]; ok {
			start = i
			break
		}
		if qualifierAIs[segs[i]] {
			return nil, notGS1("%s: qualifier AI %s appears before the primary key", s, segs[i])
		}
	}
	if start < 0 {
		return nil, notGS1("%s has no GTIN (/01/), SSCC (/00/), GLN (/414/), party (/417/), GRAI (/8003/), GIAI (/8004/) or GSRN (/8018/) primary key", s)
	}
	dl.Primary = segs[start]
	key, err := unescapeURN(segs[start+1])
	if err != nil {
		return nil, notGS1("%s: %v", s, err)
	}
	switch dl.Primary {
	case "01":
		if dl.Key, err = NormalizeGTIN(key); err != nil {
			return nil, err
		}
	case "00":
		if err := ValidateSSCC(key); err != nil {
			return nil, err
		}
		dl.Key = key
	case "8003":
		if len(key) < 14 {
			return nil, &KeyError{Kind: "GRAI", Value: key, Reason: "must be 14 digits, then an optional serial"}
		}
		if err := ValidateGRAI(key[:14]); err != nil {
			return nil, err
		}
		dl.Key = key
	case "8004":
		if err := ValidateGIAI(key); err != nil {
			return nil, err
		}
		dl.Key = key
	case "8018":
		if err := ValidateGSRN(key); err != nil {
			return nil, err
		}
		dl.Key = key
	default:
		if err := ValidateGLN(key); err != nil {
			return nil, err
		}
		dl.Key = key
	}
	allowed := primary[dl.Primary]
	quals := segs[start+2:]
	if len(quals)%2 != 0 {
		return nil, notGS1("%s: key qualifiers must come in AI/value pairs", s)
	}
	pos := 0 // qualifiers must follow the standard's order
	for i := 0; i < len(quals); i += 2 {
		ai := quals[i]
		j := indexOf(allowed, ai)
		if j < 0 {
			return nil, notGS1("%s: AI %s is not a key qualifier of AI %s", s, ai, dl.Primary)
		}
		if j < pos {
			return nil, notGS1("%s: key qualifier AI %s is out of order", s, ai)
		}
		pos = j + 1
		v, err := unescapeURN(quals[i+1])
		if err != nil {
			return nil, notGS1("%s: %v", s, err)
		}
		if err := ValidateAttribute(QualifierName(ai), v, 20); err != nil {
			return nil, err
		}
		dl.Qualifiers = append(dl.Qualifiers, AIValue{AI: ai, Value: v})
	}
	return dl, nil
}

// QualifierName names a key qualifier AI for messages: "lot number (AI
// 10)", so that a reader knows which part of a Digital Link is wrong.
func QualifierName(ai string) string {
	switch ai {
	case "10":
		return "lot number (AI 10)"
	case "21":
		return "serial number (AI 21)"
	case "22":
		return "consumer product variant (AI 22)"
	case "254":
		return "GLN extension (AI 254)"
	case "235":
		return "third-party serial number (AI 235)"
	case "7040":
		return "UIC with extension (AI 7040)"
	}
	return "AI " + ai
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
