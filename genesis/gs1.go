package genesis

import "fmt"

// GS1 identifiers in genesis: company prefixes and Global Location Numbers.
const (
	MinPrefixLen = 6
	MaxPrefixLen = 12
	GLNLen       = 13
)

// CheckDigit is the GS1 mod-10 check digit of the digits in data (weights
// 3, 1, 3, ... from the rightmost digit). data must be all digits.
func CheckDigit(data string) byte {
	sum := 0
	for i := 0; i < len(data); i++ {
		d := int(data[len(data)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// ValidatePrefix checks a GS1 company prefix: 6 to 12 decimal digits.
func ValidatePrefix(p string) error {
	if !allDigits(p) || len(p) < MinPrefixLen || len(p) > MaxPrefixLen {
		return fmt.Errorf("GS1 company prefix %q must be %d to %d digits", p, MinPrefixLen, MaxPrefixLen)
	}
	return nil
}

// ValidateGLN checks a Global Location Number: 13 digits whose last digit is
// the GS1 check digit of the first 12.
func ValidateGLN(g string) error {
	if !allDigits(g) || len(g) != GLNLen {
		return fmt.Errorf("GLN %q must be %d digits", g, GLNLen)
	}
	if want := CheckDigit(g[:GLNLen-1]); g[GLNLen-1] != want {
		return fmt.Errorf("GLN %q has check digit %c, want %c", g, g[GLNLen-1], want)
	}
	return nil
}
