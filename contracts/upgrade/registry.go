package upgrade

import (
	"fmt"
	"regexp"
	"sort"
)

// Genesis is the protocol version of every chain at genesis (state holds no
// version record until the first upgrade).
const Genesis uint64 = 1

// Registry maps an upgrade's name to the protocol version it brings. It is
// fixed when the program starts (Compiled) and read-only after.
type Registry map[string]uint64

// compiled is filled by the init functions of this package's files: one per
// upgrade this build knows (registry_*.go, some behind build tags).
var compiled = Registry{}

// register adds an upgrade to the compiled registry; called from init only.
func register(name string, version uint64) {
	if err := ValidName(name); err != nil {
		panic(err) // a programming error in a registry file
	}
	if version <= Genesis {
		panic(fmt.Sprintf("upgrade %s: protocol version %d is not after genesis", name, version))
	}
	if _, dup := compiled[name]; dup {
		panic("upgrade registered twice: " + name)
	}
	compiled[name] = version
}

// Compiled returns the upgrades this binary knows.
func Compiled() Registry { return compiled }

// Known returns the protocol version the named upgrade brings, and whether
// this registry knows it.
func (r Registry) Known(name string) (uint64, bool) {
	v, ok := r[name]
	return v, ok
}

// Names lists the known upgrades, sorted (for status and logs).
func (r Registry) Names() []string {
	out := make([]string, 0, len(r))
	for n := range r {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// MaxNameLen bounds an upgrade's name.
const MaxNameLen = 64

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ValidName checks an upgrade's name: 1 to 64 characters of lower-case
// letters, digits, '.', '_' and '-', starting with a letter or digit (it
// appears in logs, file names and metrics labels).
func ValidName(name string) error {
	if len(name) == 0 || len(name) > MaxNameLen || !nameRE.MatchString(name) {
		return fmt.Errorf("upgrade name %q: want 1 to %d of a-z 0-9 . _ -, starting with a letter or digit", name, MaxNameLen)
	}
	return nil
}
