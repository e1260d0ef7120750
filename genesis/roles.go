package genesis

import (
	"fmt"
	"strings"
)

// Role is what a founding organisation does in the supply chain. The
// membership contract decides what each role may write; genesis only checks
// that the name is one of these.
type Role string

const (
	RoleFarm         Role = "farm"
	RoleCooperative  Role = "cooperative"
	RoleProcessor    Role = "processor"
	RoleLogistics    Role = "logistics"
	RoleRetailer     Role = "retailer"
	RoleInspector    Role = "inspector"
	RoleRegulator    Role = "regulator"
	RoleDataExchange Role = "data_exchange"
	RoleAuditor      Role = "auditor"
)

// Roles lists every role in a fixed order.
func Roles() []Role {
	return []Role{RoleFarm, RoleCooperative, RoleProcessor, RoleLogistics, RoleRetailer,
		RoleInspector, RoleRegulator, RoleDataExchange, RoleAuditor}
}

// ParseRole returns the role named s, or an error listing the known ones.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	names := make([]string, 0, 9)
	for _, r := range Roles() {
		names = append(names, string(r))
	}
	return "", fmt.Errorf("unknown role %q (known: %s)", s, strings.Join(names, ", "))
}
