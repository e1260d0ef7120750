package keyring

import "fmt"

// MaxNameLen is the longest key name.
const MaxNameLen = 40

// ValidateName checks a key name: 1 to 40 characters of [a-z0-9_-], starting
// with a letter or a digit. Names become file names, so the rule excludes
// path separators, dots (no "..", no hidden files) and upper case (which
// would collide on case-insensitive file systems).
func ValidateName(name string) error {
	if len(name) == 0 {
		return fmt.Errorf("%w: name is empty", ErrInvalidName)
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("%w: %q is %d characters, limit %d", ErrInvalidName, name, len(name), MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '_' || c == '-') && i > 0:
		default:
			return fmt.Errorf("%w: %q: use 1 to %d characters of a-z, 0-9, '_' and '-', starting with a letter or digit", ErrInvalidName, name, MaxNameLen)
		}
	}
	return nil
}
