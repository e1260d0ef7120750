package contracts

// Introduced is a contract method that an upgrade brings: callable from the
// protocol version Since, refused with ERR_UNKNOWN_METHOD before it, on
// every node alike (the version is the chain's state at the height, never
// the binary's).
type Introduced struct {
	Method *Method
	Since  uint64
}

// introduced lists the methods the upgrades compiled into this binary
// bring. Production builds bring none yet; the build tag qian_upgrade_demo
// adds the demonstration upgrade's (introduced_demo.go).
var introduced []Introduced
