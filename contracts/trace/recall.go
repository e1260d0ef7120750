package trace

import (
	"github.com/qianchain/qianchain/contracts/call"
	"github.com/qianchain/qianchain/contracts/gs1"
	"github.com/qianchain/qianchain/contracts/state"
)

// MaxRecallReach bounds how many objects one recall may mark: the recall is
// one transaction and its record links every object it reaches.
const MaxRecallReach = 10_000

// reach extends a recall from the named objects to every object derived
// from them — transformation outputs and the containers they were packed
// in, transitively — adding each to the event's links. It appends to *set.
func (cp *capture) reach(set []*Object) error {
	queue := append([]*Object(nil), set...)
	inSet := map[string]bool{}
	for _, o := range set {
		inSet[string(ObjectKey(o.ID))] = true
	}
	recall := set
	for len(queue) > 0 {
		o := queue[0]
		queue = queue[1:]
		next, err := derived(cp.c.State, o.ID)
		if err != nil {
			return err
		}
		for _, id := range next {
			k := string(ObjectKey(id))
			if inSet[k] {
				continue
			}
			inSet[k] = true
			d, err := cp.get(id)
			if err != nil {
				return err
			}
			if d == nil {
				continue // an edge to an object that was never written cannot occur; be lenient
			}
			if len(recall) >= MaxRecallReach {
				return call.Errorf(call.ErrRecallTooLarge, "the recall reaches more than %d objects; recall the derived objects in parts", MaxRecallReach)
			}
			recall = append(recall, d)
			queue = append(queue, d)
			cp.touch(d)
		}
	}
	cp.recall = recall
	return nil
}

// derived lists the objects derived directly from id, in key order.
func derived(r state.Store, id gs1.ObjectID) ([]gs1.ObjectID, error) {
	p := key(derivedPrefix, ObjectKey(id))
	var out []gs1.ObjectID
	err := r.Iterate(p, state.PrefixEnd(p), func(k, _ []byte) bool {
		if o, rest, err := parseObjectKey(k[len(p):]); err == nil && len(rest) == 0 {
			out = append(out, o)
		}
		return true
	})
	return out, err
}

// Derived lists the objects derived directly from id (transformation
// outputs, containers it was packed in), for pages and queries.
func Derived(r state.Store, id gs1.ObjectID) ([]gs1.ObjectID, error) { return derived(r, id) }
