package consensus

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qianchain/qianchain/consensus/internal/transcript"
	"github.com/qianchain/qianchain/ledger"
)

// TestTranscripts runs the scenarios in testdata/*.txt. Each file names the
// lines of Algorithm 1 it exercises. Regenerate the expected output with
//
//	go test ./consensus -run Transcripts -rewrite
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts found: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			h := &scenario{}
			transcript.Run(t, f, h.handle)
		})
	}
}

// scenario drives one machine as its caller would: every message the machine
// asks to sign is signed with its key and stepped back in, and the outputs of
// that are printed too ("caller:" lines), as the driver would see them.
type scenario struct {
	m      *Machine
	vals   *ledger.ValidatorSet
	keys   []ledger.PrivateKey
	self   int
	app    *testApp
	names  namer
	height uint64
}

func (s *scenario) block(name string) *ledger.Block {
	b := namedBlock(s.height, name)
	s.names[b.Hash()] = name
	return b
}

func ints(t *testing.T, c *transcript.Command, key string) []int {
	var out []int
	for _, f := range strings.Split(c.Arg(key, ""), ",") {
		if f == "" {
			continue
		}
		i, err := strconv.Atoi(f)
		if err != nil {
			c.Fatalf(t, "%s: %v", key, err)
		}
		out = append(out, i)
	}
	return out
}

func num(t *testing.T, c *transcript.Command, key string, def int) int {
	v := c.Arg(key, "")
	if v == "" {
		return def
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		c.Fatalf(t, "%s: %v", key, err)
	}
	return i
}

func (s *scenario) handle(t *testing.T, c *transcript.Command) string {
	switch c.Name {
	case "setup":
		var powers []uint64
		for _, p := range ints(t, c, "powers") {
			powers = append(powers, uint64(p))
		}
		if powers == nil {
			for range num(t, c, "n", 4) {
				powers = append(powers, 1)
			}
		}
		s.vals, s.keys = testValidators(powers)
		s.self = num(t, c, "self", 0)
		s.app = &testApp{invalid: map[ledger.Hash]bool{}}
		s.names = namer{}
		m, err := NewMachine(Config{Chain: testIdentity, Timeouts: testTimeouts()}, s.app)
		if err != nil {
			t.Fatal(err)
		}
		s.m = m
		var b strings.Builder
		fmt.Fprintf(&b, "validators=%d total=%d quorum=%d one-third=%d\n", s.vals.Size(), s.vals.TotalPower(), s.vals.QuorumPower(), s.vals.OneThirdPower())
		b.WriteString("proposers h=1:")
		for r := uint32(0); r < 8; r++ {
			fmt.Fprintf(&b, " r%d=%d", r, Proposer(s.vals, 1, r))
		}
		return b.String()
	case "invalid":
		for _, name := range c.Pos {
			s.app.invalid[s.block(name).Hash()] = true
		}
		return ""
	case "start":
		s.height = uint64(num(t, c, "height", 1))
		return s.step(StartHeight{Height: s.height, Validators: s.vals, Self: s.self})
	case "proposal":
		r := uint32(num(t, c, "round", 0))
		from := num(t, c, "from", Proposer(s.vals, s.height, r))
		b := s.block(c.Arg("block", "A"))
		p := &ledger.Proposal{Height: s.height, Round: r, POLRound: int32(num(t, c, "pol", -1)), BlockHash: b.Hash(), Proposer: uint16(from)}
		if err := p.Sign(testIdentity, s.keys[from]); err != nil {
			t.Fatal(err)
		}
		if c.Arg("badsig", "") == "true" {
			p.Sig[0] ^= 1
		}
		return s.step(ProposalMessage{Proposal: p, Block: b})
	case "prevote", "precommit":
		typ := ledger.Prevote
		if c.Name == "precommit" {
			typ = ledger.Precommit
		}
		var bh *ledger.Hash
		if name := c.Arg("block", "nil"); name != "nil" {
			h := s.block(name).Hash()
			bh = &h
		}
		var out strings.Builder
		for _, from := range ints(t, c, "from") {
			v := &ledger.Vote{Type: typ, Height: uint64(num(t, c, "height", int(s.height))), Round: uint32(num(t, c, "round", 0)), BlockHash: bh, Validator: uint16(from)}
			if err := v.Sign(testIdentity, s.keys[from]); err != nil {
				t.Fatal(err)
			}
			out.WriteString(s.step(VoteMessage{Vote: v}))
		}
		return out.String()
	case "timeout":
		steps := map[string]Step{"propose": StepPropose, "prevote": StepPrevote, "precommit": StepPrecommit}
		st, ok := steps[c.Arg("step", "")]
		if !ok {
			c.Fatalf(t, "step must be propose, prevote or precommit")
		}
		return s.step(TimeoutFired{Timeout: Timeout{Height: s.height, Round: uint32(num(t, c, "round", 0)), Step: st}})
	case "block":
		return s.step(BlockToPropose{Height: s.height, Round: uint32(num(t, c, "round", 0)), Block: s.block(c.Arg("block", "A"))})
	case "retransmit":
		return s.step(Retransmit{})
	case "catchup":
		b := s.block(c.Arg("block", "A"))
		r := uint32(num(t, c, "round", 0))
		cm := &ledger.Commit{Height: s.height, Round: r, BlockHash: b.Hash()}
		for _, from := range ints(t, c, "from") {
			v := &ledger.Vote{Type: ledger.Precommit, Height: s.height, Round: r, BlockHash: &cm.BlockHash, Validator: uint16(from)}
			if err := v.Sign(testIdentity, s.keys[from]); err != nil {
				t.Fatal(err)
			}
			cm.Sigs = append(cm.Sigs, ledger.CommitSig{Validator: uint16(from), Sig: v.Sig})
		}
		return s.step(CatchUp{Block: b, Commit: cm})
	case "state":
		return s.names.state(s.m.State())
	}
	c.Fatalf(t, "unknown command")
	return ""
}

// step steps in, then acts as the caller: signs what the machine asks to
// sign and steps it back, printing each Ready.
func (s *scenario) step(in Input) string {
	var b strings.Builder
	if err := s.m.Step(in); err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	queue := []Ready{s.m.Ready()}
	for len(queue) > 0 {
		rd := queue[0]
		queue = queue[1:]
		b.WriteString(s.names.ready(rd))
		for _, msg := range rd.Sign {
			var back Input
			if msg.Vote != nil {
				v := *msg.Vote
				_ = v.Sign(testIdentity, s.keys[s.self])
				back = VoteMessage{Vote: &v}
			} else {
				p := *msg.Proposal
				_ = p.Sign(testIdentity, s.keys[s.self])
				back = ProposalMessage{Proposal: &p, Block: msg.Block}
			}
			if err := s.m.Step(back); err != nil {
				fmt.Fprintf(&b, "error on own message: %v\n", err)
			}
			if s.m.HasReady() {
				b.WriteString("caller steps its own message back:\n")
				queue = append(queue, s.m.Ready())
			}
		}
	}
	return b.String()
}
