package genesis

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/qianchain/qianchain/ledger"
)

// Limits of a genesis document beyond those of the ledger.
const (
	MaxValidatorNameLen = 64
	MaxOrganisations    = 1000
	MaxOrgIDLen         = 32  // the membership contract's limits,
	MaxOrgNameBytes     = 200 // so that every valid genesis is one
	MaxPrefixesPerOrg   = 16  // the contracts accept
	MaxGLNsPerOrg       = 64
	MaxAdminsPerOrg     = 16
	MaxTimeout          = 10 * time.Minute // base and delta of each step
	MaxEmptyBlockWait   = time.Hour
)

// Validate checks every rule of a genesis document and returns a
// *FieldError for the first field that breaks one. The rules are listed in
// docs/operations.md ("Genesis") and tested one by one.
func (d *Doc) Validate() error {
	if err := ledger.ValidateChainID(d.ChainID); err != nil {
		return fieldErr("chain_id", "%v", err)
	}
	if d.GenesisTime.IsZero() {
		return fieldErr("genesis_time", "missing")
	}
	if d.GenesisTime.Before(time.Unix(0, 0)) || d.GenesisTime.After(time.Unix(0, ledger.MaxUnixNanoseconds)) {
		return fieldErr("genesis_time", "%s is outside 1970-01-01 to 2262-04-11", d.GenesisTime.Format(time.RFC3339))
	}
	if err := d.Consensus.validate(); err != nil {
		return err
	}
	if len(d.Validators) == 0 {
		return fieldErr("validators", "at least one validator is required")
	}
	return d.validateEntries()
}

// validateEntries checks the validators, organisations and observers, their
// references to each other and the join signatures: every rule but those
// of the chain as a whole (chain id, time, consensus, a validator at
// least), which a join request, holding one organisation and one node,
// cannot meet on its own.
func (d *Doc) validateEntries() error {
	if err := validateValidators(d.Validators); err != nil {
		return err
	}
	if err := validateOrganisations(d.Organisations); err != nil {
		return err
	}
	if err := d.validateNodes(); err != nil {
		return err
	}
	return d.validateJoins()
}

func (c *ConsensusParams) validate() error {
	for _, t := range []struct {
		name string
		v    time.Duration
		min  time.Duration
		max  time.Duration
	}{
		{"timeout_propose", c.TimeoutPropose, time.Millisecond, MaxTimeout},
		{"timeout_propose_delta", c.TimeoutProposeDelta, 0, MaxTimeout},
		{"timeout_prevote", c.TimeoutPrevote, time.Millisecond, MaxTimeout},
		{"timeout_prevote_delta", c.TimeoutPrevoteDelta, 0, MaxTimeout},
		{"timeout_precommit", c.TimeoutPrecommit, time.Millisecond, MaxTimeout},
		{"timeout_precommit_delta", c.TimeoutPrecommitDelta, 0, MaxTimeout},
		{"empty_block_interval", c.EmptyBlockInterval, 0, MaxEmptyBlockWait},
	} {
		if t.v < t.min || t.v > t.max {
			return fieldErr("consensus."+t.name, "%s is outside %s to %s", t.v, t.min, t.max)
		}
	}
	if c.MaxTxBytes < 1 || c.MaxTxBytes > ledger.MaxTxBytes {
		return fieldErr("consensus.max_tx_bytes", "%d is outside 1 to %d (the ledger's limit)", c.MaxTxBytes, ledger.MaxTxBytes)
	}
	if c.MaxBlockTxs < 1 || c.MaxBlockTxs > ledger.MaxBlockTxs {
		return fieldErr("consensus.max_block_txs", "%d is outside 1 to %d (the ledger's limit)", c.MaxBlockTxs, ledger.MaxBlockTxs)
	}
	if c.MaxBlockBytes < c.MaxTxBytes || c.MaxBlockBytes > ledger.MaxBlockBytes {
		return fieldErr("consensus.max_block_bytes", "%d is outside max_tx_bytes (%d) to %d (the ledger's limit): a block must be able to hold the largest transaction", c.MaxBlockBytes, c.MaxTxBytes, ledger.MaxBlockBytes)
	}
	return nil
}

// ValidateOrgID checks an organisation id: 1 to 32 characters of
// [a-z0-9_-] starting with a letter, the membership contract's rule (and
// a valid keyring name, so an organisation's admin account can be named
// after it).
func ValidateOrgID(id string) error {
	if !validOrgID(id) {
		return fmt.Errorf("organisation id %q must be 1 to %d characters of a-z, 0-9, '_' and '-', starting with a letter", id, MaxOrgIDLen)
	}
	return nil
}

// validOrgID reports whether s is 1 to 32 characters of [a-z0-9_-]
// starting with a letter: the membership contract's rule.
func validOrgID(s string) bool {
	if len(s) == 0 || len(s) > MaxOrgIDLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validLabel reports whether s is 1 to max characters of [A-Za-z0-9._-],
// starting with a letter or digit.
func validLabel(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c >= 'A' && c <= 'Z':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

func validateValidators(vals []Validator) error {
	if len(vals) > ledger.MaxValidators {
		return fieldErr("validators", "%d validators, at most %d", len(vals), ledger.MaxValidators)
	}
	names := map[string]int{}
	keys := map[ledger.PublicKey]int{}
	peers := map[peer.ID]int{}
	for i, v := range vals {
		f := fmt.Sprintf("validators[%d]", i)
		if !validLabel(v.Name, MaxValidatorNameLen) {
			return fieldErr(f+".name", "%q must be 1 to %d characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit", v.Name, MaxValidatorNameLen)
		}
		if j, dup := names[v.Name]; dup {
			return fieldErr(f+".name", "%q is also the name of validators[%d]", v.Name, j)
		}
		names[v.Name] = i
		if err := v.PubKey.Validate(); err != nil {
			return fieldErr(f+".pub_key", "%v", err)
		}
		if j, dup := keys[v.PubKey]; dup {
			return fieldErr(f+".pub_key", "same public key as validators[%d]", j)
		}
		keys[v.PubKey] = i
		if err := v.PeerID.Validate(); err != nil {
			return fieldErr(f+".peer_id", "%v", err)
		}
		if _, err := v.PeerID.ExtractPublicKey(); err != nil {
			return fieldErr(f+".peer_id", "%s does not embed its public key (use an Ed25519 node key): %v", v.PeerID, err)
		}
		if j, dup := peers[v.PeerID]; dup {
			return fieldErr(f+".peer_id", "same peer id as validators[%d]", j)
		}
		peers[v.PeerID] = i
		if v.Power == 0 {
			return fieldErr(f+".power", "voting power is zero")
		}
		if v.Power > ledger.MaxVotingPower {
			return fieldErr(f+".power", "voting power %d exceeds %d", v.Power, uint64(ledger.MaxVotingPower))
		}
		if err := validateAddresses(f+".addresses", v.Addresses); err != nil {
			return err
		}
	}
	return nil
}

// validText checks a display name: valid UTF-8, no control characters, no
// white space at either end, 1 to max bytes (0 allowed when optional).
func validText(field, s string, max int, optional bool) error {
	if s == "" {
		if optional {
			return nil
		}
		return fieldErr(field, "missing")
	}
	if !utf8.ValidString(s) {
		return fieldErr(field, "not valid UTF-8")
	}
	if len(s) > max {
		return fieldErr(field, "%d bytes of UTF-8, at most %d", len(s), max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fieldErr(field, "contains control character %U", r)
		}
	}
	if strings.TrimSpace(s) != s {
		return fieldErr(field, "has white space at the start or end")
	}
	return nil
}

func validateOrganisations(orgs []Organisation) error {
	if len(orgs) > MaxOrganisations {
		return fieldErr("organisations", "%d organisations, at most %d", len(orgs), MaxOrganisations)
	}
	ids := map[string]int{}
	type owner struct{ org, idx int }
	prefixes := map[string]owner{} // every prefix seen
	stems := map[string]owner{}    // every leading part (6+ digits) of a prefix seen
	glns := map[string]owner{}
	admins := map[ledger.PublicKey]owner{}
	for i, o := range orgs {
		f := fmt.Sprintf("organisations[%d]", i)
		if !validOrgID(o.ID) {
			return fieldErr(f+".id", "%q must be 1 to %d characters of a-z, 0-9, '_' and '-', starting with a letter", o.ID, MaxOrgIDLen)
		}
		if j, dup := ids[o.ID]; dup {
			return fieldErr(f+".id", "%q is also the id of organisations[%d]", o.ID, j)
		}
		ids[o.ID] = i
		if err := validText(f+".name", o.Name, MaxOrgNameBytes, false); err != nil {
			return err
		}
		if err := validText(f+".name_en", o.NameEN, MaxOrgNameBytes, true); err != nil {
			return err
		}
		if len(o.Roles) == 0 {
			return fieldErr(f+".roles", "at least one role is required")
		}
		seenRole := map[Role]int{}
		for k, r := range o.Roles {
			if _, err := ParseRole(string(r)); err != nil {
				return fieldErr(fmt.Sprintf("%s.roles[%d]", f, k), "%v", err)
			}
			if j, dup := seenRole[r]; dup {
				return fieldErr(fmt.Sprintf("%s.roles[%d]", f, k), "role %q repeats roles[%d]", r, j)
			}
			seenRole[r] = k
		}
		if len(o.GS1Prefixes) > MaxPrefixesPerOrg {
			return fieldErr(f+".gs1_company_prefixes", "%d prefixes, at most %d", len(o.GS1Prefixes), MaxPrefixesPerOrg)
		}
		for k, p := range o.GS1Prefixes {
			pf := fmt.Sprintf("%s.gs1_company_prefixes[%d]", f, k)
			if err := ValidatePrefix(p); err != nil {
				return fieldErr(pf, "%v", err)
			}
			// Company prefixes have variable length, so one that begins
			// another would make the owner of a GTIN or GLN ambiguous.
			if w, dup := prefixes[p]; dup {
				return fieldErr(pf, "%q duplicates organisations[%d].gs1_company_prefixes[%d]", p, w.org, w.idx)
			}
			if w, over := stems[p]; over {
				return fieldErr(pf, "%q begins organisations[%d].gs1_company_prefixes[%d] %q: prefixes must not overlap", p, w.org, w.idx, orgs[w.org].GS1Prefixes[w.idx])
			}
			for l := MinPrefixLen; l < len(p); l++ {
				if w, over := prefixes[p[:l]]; over {
					return fieldErr(pf, "%q begins with organisations[%d].gs1_company_prefixes[%d] %q: prefixes must not overlap", p, w.org, w.idx, p[:l])
				}
			}
			prefixes[p] = owner{i, k}
			for l := MinPrefixLen; l <= len(p); l++ {
				if _, ok := stems[p[:l]]; !ok {
					stems[p[:l]] = owner{i, k}
				}
			}
		}
		if len(o.GLNs) > MaxGLNsPerOrg {
			return fieldErr(f+".glns", "%d GLNs, at most %d", len(o.GLNs), MaxGLNsPerOrg)
		}
		for k, g := range o.GLNs {
			gf := fmt.Sprintf("%s.glns[%d]", f, k)
			if err := ValidateGLN(g); err != nil {
				return fieldErr(gf, "%v", err)
			}
			if w, dup := glns[g]; dup {
				return fieldErr(gf, "GLN %s is also organisations[%d].glns[%d]", g, w.org, w.idx)
			}
			glns[g] = owner{i, k}
			under := false
			for _, p := range o.GS1Prefixes {
				under = under || strings.HasPrefix(g, p)
			}
			if !under {
				return fieldErr(gf, "GLN %s is not under any of the organisation's GS1 company prefixes", g)
			}
		}
		if len(o.Admins) == 0 {
			return fieldErr(f+".admins", "at least one admin key is required")
		}
		if len(o.Admins) > MaxAdminsPerOrg {
			return fieldErr(f+".admins", "%d admins, at most %d", len(o.Admins), MaxAdminsPerOrg)
		}
		for k, a := range o.Admins {
			af := fmt.Sprintf("%s.admins[%d]", f, k)
			if err := a.Validate(); err != nil {
				return fieldErr(af, "%v", err)
			}
			if w, dup := admins[a]; dup {
				return fieldErr(af, "admin key is also organisations[%d].admins[%d]", w.org, w.idx)
			}
			admins[a] = owner{i, k}
		}
	}
	return nil
}
