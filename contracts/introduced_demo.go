//go:build qian_upgrade_demo

package contracts

import (
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/membership"
	"github.com/qianchain/qianchain/contracts/upgrade"
)

// The demonstration upgrade (contracts/upgrade/registry_demo.go) brings
// one method, notary.ping: any member may call it with an empty payload,
// and it records an event naming the height. The upgrade test
// (cmd/qian/upgrade_process_test.go) builds a second qian with this tag and
// sees the method refused before the upgrade height and committed after.
func init() {
	introduced = append(introduced, Introduced{Since: upgrade.DemoVersion, Method: &Method{
		Contract: "notary", Name: "ping",
		Decode: func(b []byte) (any, error) {
			if len(b) != 0 {
				return nil, errPingPayload
			}
			return struct{}{}, nil
		},
		Run: func(c *call.Context, _ *membership.Caller, payload []byte) error {
			if len(payload) != 0 {
				return call.PayloadError(errPingPayload)
			}
			c.Emit("notary.ping", "version", "2")
			return nil
		},
	}})
}

type pingPayloadError struct{}

func (pingPayloadError) Error() string { return "notary.ping takes an empty payload" }

var errPingPayload error = pingPayloadError{}
