package trace

import (
	"github.com/qianchain/qianchain/contracts/epcis"
	"github.com/qianchain/qianchain/contracts/gs1"
)

// associationEvent records an EPCIS AssociationEvent: sensors, devices or
// assets (children) associated with a container, asset or item (the
// parent) — a data logger installed in a crate, a crate's lots. It moves
// no custody and packs nothing: association says "these travel and report
// together", not "this holds that". The sender holds the parent (an
// inspector or regulator may record an OBSERVE while inspecting); every
// custodial child exists. The event is in the histories of the parent and
// of every child.
func (cp *capture) associationEvent() error {
	ev, org := cp.ev, cp.who.Org
	ids := append([]gs1.ObjectID{*ev.ParentID}, concat(ev.ChildEPCs, lotIDs(ev.ChildQuantityList))...)
	os, err := cp.existing(ids)
	if err != nil {
		return err
	}
	inspecting := ev.Action == epcis.Observe && ev.BizStep == "inspecting" && org.HasAny(inspectRoles...)
	if !inspecting {
		if err := cp.requireCustody(os[:1]); err != nil {
			return err
		}
	}
	if ev.Action == epcis.Add {
		if err := requireNotRecalled(os[:1], "associated with new devices or goods"); err != nil {
			return err
		}
	}
	cp.touch(os...)
	return nil
}
