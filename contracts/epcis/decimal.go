package epcis

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/qianchain/qianchain/contracts/codec"
)

// Decimal is an exact decimal number, Mant / 10^Scale. State holds no
// floating point: quantities (200.5 KGM) and sensor values (26.1 CEL) are
// decimals, parsed from the JSON number's text and printed back unchanged
// in value.
//
// The canonical form has Scale <= MaxScale and no trailing zero in Mant when
// Scale > 0 (so 2.50 is {25, 1}); zero is {0, 0}.
type Decimal struct {
	Mant  int64
	Scale uint8
}

// MaxScale is the most digits after the decimal point a Decimal holds.
const MaxScale = 18

func (d Decimal) canonical() bool {
	if d.Scale > MaxScale {
		return false
	}
	return d.Scale == 0 || (d.Mant%10 != 0)
}

// String prints the number without exponent, e.g. "200", "26.1", "-0.05".
func (d Decimal) String() string {
	if d.Scale == 0 {
		return strconv.FormatInt(d.Mant, 10)
	}
	neg := d.Mant < 0
	u := uint64(d.Mant)
	if neg {
		u = uint64(-d.Mant) // two's complement: correct for MinInt64 too
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= int(d.Scale) {
		s = strings.Repeat("0", int(d.Scale)-len(s)+1) + s
	}
	p := len(s) - int(d.Scale)
	s = s[:p] + "." + s[p:]
	if neg {
		s = "-" + s
	}
	return s
}

// ParseDecimal parses a JSON number literal (optionally with an exponent)
// exactly. It fails if the value needs more than 18 digits after the point
// or does not fit in 64 bits.
func ParseDecimal(s string) (Decimal, error) {
	orig := s
	bad := func(why string) (Decimal, error) {
		return Decimal{}, fmt.Errorf("number %s %s", orig, why)
	}
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 400 || e < -400 {
			return bad("has a bad exponent")
		}
		mant, exp = s[:i], e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" || !isDigits(intPart) || (frac != "" && !isDigits(frac)) || strings.HasSuffix(mant, ".") {
		return bad("is not a decimal number")
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	scale := len(frac) - exp
	// Drop trailing zeros into the scale.
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		scale--
	}
	if digits == "" {
		return Decimal{}, nil
	}
	// A negative scale means trailing zeros to restore.
	for scale < 0 {
		digits += "0"
		scale++
	}
	if scale > MaxScale {
		return bad(fmt.Sprintf("has more than %d digits after the decimal point", MaxScale))
	}
	if len(digits) > 19 {
		return bad("is out of range")
	}
	u, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || u > 1<<63 || (u == 1<<63 && !neg) {
		return bad("is out of range")
	}
	m := int64(u) // 1<<63 wraps to MinInt64, which is the negative value wanted
	if neg && u != 1<<63 {
		m = -m
	}
	return Decimal{Mant: m, Scale: uint8(scale)}, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func (d Decimal) encode(e *codec.Encoder) {
	e.I64(d.Mant)
	e.U8(d.Scale)
}

func decodeDecimal(d *codec.Decoder, field string) Decimal {
	v := Decimal{Mant: d.I64(field), Scale: d.U8(field + " scale")}
	if d.Err() == nil && !v.canonical() {
		d.Fail(field, "decimal %d/10^%d is not in canonical form", v.Mant, v.Scale)
	}
	return v
}
