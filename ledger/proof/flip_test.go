package proof

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// mutations returns the single-byte changes tried at one position. The
// first is the next character of the same class (hex digit, digit, letter:
// the change most likely to stay well-formed and reach the deeper checks),
// or the low bit flipped for other bytes. With all set (QIAN_PROOF_FLIP_ALL)
// it adds the low bit flipped, the other case of a letter, and a tab for
// white space.
func mutations(c byte, all bool) []byte {
	const hexDigits = "0123456789abcdef"
	var out []byte
	switch {
	case c >= '0' && c <= '9' || c >= 'a' && c <= 'f':
		out = append(out, hexDigits[(strings.IndexByte(hexDigits, c)+1)%16])
	case c >= 'g' && c <= 'z':
		out = append(out, 'a'+(c-'a'+1)%26)
	case c >= 'A' && c <= 'Z':
		out = append(out, 'A'+(c-'A'+1)%26)
	default:
		out = append(out, c^0x01)
	}
	if all {
		out = append(out, c^0x01)
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			out = append(out, c^0x20)
		}
		if isSpace(c) {
			out = append(out, '\t')
		}
	}
	seen := map[byte]bool{c: true}
	uniq := out[:0]
	for _, m := range out {
		if !seen[m] {
			seen[m] = true
			uniq = append(uniq, m)
		}
	}
	return uniq
}

// Any single changed byte of a real bundle's JSON makes verification fail
// with a coded reason, unless the change leaves the JSON the same value
// (white space), in which case the bundle still verifies.
func TestEveryChangedByteFails(t *testing.T) {
	c, b := standard(t, 4)
	raw := b.Marshal()
	orig, err := genericJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyJSON(raw, c.anchor); err != nil {
		t.Fatal(err)
	}
	codes := map[string]int{}
	tried, same := 0, 0
	all := os.Getenv("QIAN_PROOF_FLIP_ALL") != ""
	buf := make([]byte, len(raw))
	spaces := 0
	for i := range raw {
		ms := mutations(raw[i], all)
		if isSpace(raw[i]) && !all {
			// A sample of white space changed to other white space: the
			// bundle must still verify.
			if spaces++; spaces%50 == 0 {
				ms = append(ms, '\t')
			}
		}
		for _, m := range ms {
			copy(buf, raw)
			buf[i] = m
			tried++
			_, err := VerifyJSON(buf, c.anchor)
			if err == nil {
				// Only a change that leaves the JSON the same value may pass.
				if g, gerr := genericJSON(buf); gerr != nil || !reflect.DeepEqual(g, orig) {
					t.Fatalf("byte %d changed %q->%q (context %q) and the bundle still verifies", i, raw[i], m, context(buf, i))
				}
				same++
				continue
			}
			if isSpace(raw[i]) && isSpace(m) {
				t.Fatalf("byte %d: white space %q->%q refused: %v", i, raw[i], m, err)
			}
			code := CodeOf(err)
			if code == "" {
				t.Fatalf("byte %d: error without a code: %v", i, err)
			}
			codes[code]++
		}
	}
	var names []string
	for k := range codes {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t.Logf("%-22s %d", k, codes[k])
	}
	t.Logf("%d bytes, %d changes tried, %d left the JSON the same and verified", len(raw), tried, same)
}

func context(b []byte, i int) string {
	lo, hi := max(0, i-30), min(len(b), i+30)
	return string(b[lo:hi])
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
