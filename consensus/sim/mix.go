package sim

import "time"

// Behaviour is what a node does.
type Behaviour uint8

const (
	// Honest runs the replica as written.
	Honest Behaviour = iota
	// Silent never sends anything (a validator that is down for good).
	Silent
	// Equivocator sends, whenever it proposes, a second proposal for a
	// different block (sometimes an invalid one) to half of its peers.
	Equivocator
	// DoubleVoter sends, with every vote, a conflicting vote to half of
	// its peers.
	DoubleVoter
	// Twin is one of two honest replicas running the same key with
	// separate signer state (Bano et al., "Twins").
	Twin
	// Garbage runs honestly but also sends malformed bytes, truncated and
	// bit-flipped copies, votes signed for other validators or chains,
	// proposals out of turn, votes for far-future rounds, and bogus
	// decided messages.
	Garbage
	// ObserverNode follows consensus without a key.
	ObserverNode
	// Ghost is the adversary that holds every key outside the set of a
	// height — removed validators', rotated-away keys, candidates' keys
	// before they are voted in — and sends votes, proposals and decided
	// messages signed with them (ghost.go). It runs no replica.
	Ghost
)

func (b Behaviour) String() string {
	return [...]string{"honest", "silent", "equivocator", "double-voter", "twin", "garbage", "observer", "ghost"}[b]
}

// Mix is a fault mix.
type Mix struct {
	Name       string
	Loss       float64       // probability a message is lost, before GST
	Dup        float64       // probability a message is delivered twice
	Spread     time.Duration // latency is 5ms plus up to Spread, uniformly
	Partitions bool          // partitions form and heal before GST
	Crashes    bool          // honest validators crash and restart before GST
	Observer   bool          // add an observer node
	Byzantine  []Behaviour   // behaviours for the byzantine validators (power < 1/3)
}

func (m Mix) faulty() bool {
	return m.Loss > 0 || m.Partitions || m.Crashes || len(m.Byzantine) > 0
}

// Mixes are the fault mixes seeds cycle through: seed s runs
// Mixes[s % len(Mixes)].
var Mixes = []Mix{
	{Name: "clean", Spread: 100 * time.Millisecond},
	{Name: "lossy", Loss: 0.25, Dup: 0.1, Spread: 800 * time.Millisecond},
	{Name: "partition", Loss: 0.05, Spread: 200 * time.Millisecond, Partitions: true},
	{Name: "crash", Loss: 0.05, Dup: 0.05, Spread: 200 * time.Millisecond, Crashes: true, Observer: true},
	{Name: "equivocate", Loss: 0.05, Spread: 200 * time.Millisecond, Byzantine: []Behaviour{Equivocator}},
	{Name: "double-vote", Loss: 0.05, Spread: 200 * time.Millisecond, Byzantine: []Behaviour{DoubleVoter}},
	{Name: "twins", Loss: 0.05, Spread: 200 * time.Millisecond, Byzantine: []Behaviour{Twin}},
	{Name: "silent", Loss: 0.1, Spread: 200 * time.Millisecond, Byzantine: []Behaviour{Silent}},
	{Name: "garbage", Dup: 0.1, Spread: 200 * time.Millisecond, Byzantine: []Behaviour{Garbage}},
	{Name: "chaos", Loss: 0.15, Dup: 0.05, Spread: 500 * time.Millisecond, Partitions: true, Crashes: true, Observer: true,
		Byzantine: []Behaviour{Equivocator, DoubleVoter, Twin, Silent, Garbage}},
}

// MixByName returns the mix called name.
func MixByName(name string) (Mix, bool) {
	for _, m := range Mixes {
		if m.Name == name {
			return m, true
		}
	}
	return Mix{}, false
}
