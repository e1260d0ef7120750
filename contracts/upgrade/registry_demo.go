//go:build qian_upgrade_demo

package upgrade

// DemoName is the demonstration upgrade, compiled in with the build tag
// qian_upgrade_demo: the upgrade test builds a second qian with it (and a
// new contract method, contracts/introduced_demo.go) and takes a network of
// the first build through it. Production builds do not know it.
const DemoName = "demo-v2"

// DemoVersion is the protocol version the demonstration upgrade brings.
const DemoVersion uint64 = 2

func init() { register(DemoName, DemoVersion) }
