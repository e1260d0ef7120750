package genesis

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Accessors into the generic JSON tree.
func obj(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }
func arr(m map[string]any, key string) []any          { return m[key].([]any) }
func val(m map[string]any, i int) map[string]any      { return arr(m, "validators")[i].(map[string]any) }
func org(m map[string]any, i int) map[string]any      { return arr(m, "organisations")[i].(map[string]any) }

// TestValidationRules: one row per rule. Each row breaks exactly one rule of
// a valid document and expects the error to name the field.
func TestValidationRules(t *testing.T) {
	otherKey := testKey(t, "other").PublicKey().String()
	cases := []struct {
		name   string
		edit   func(m map[string]any)
		field  string // FieldError.Field
		reason string // a substring of FieldError.Reason
	}{
		// chain
		{"chain id upper case", func(m map[string]any) { m["chain_id"] = "Qian" }, "chain_id", ""},
		{"chain id empty", func(m map[string]any) { m["chain_id"] = "" }, "chain_id", ""},
		{"chain id too long", func(m map[string]any) { m["chain_id"] = strings.Repeat("a", 65) }, "chain_id", ""},
		{"chain id leading dash", func(m map[string]any) { m["chain_id"] = "-qian" }, "chain_id", ""},
		{"genesis time missing", func(m map[string]any) { delete(m, "genesis_time") }, "genesis_time", "missing"},
		{"genesis time not RFC 3339", func(m map[string]any) { m["genesis_time"] = "2026-11-25 00:00" }, "genesis_time", "RFC 3339"},
		{"genesis time before 1970", func(m map[string]any) { m["genesis_time"] = "1969-12-31T23:59:59Z" }, "genesis_time", "outside"},
		// consensus
		{"consensus missing", func(m map[string]any) { delete(m, "consensus") }, "consensus.timeout_propose", "missing"},
		{"timeout not a duration", func(m map[string]any) { obj(m, "consensus")["timeout_prevote"] = "1 second" }, "consensus.timeout_prevote", "not a duration"},
		{"timeout zero", func(m map[string]any) { obj(m, "consensus")["timeout_propose"] = "0s" }, "consensus.timeout_propose", "outside"},
		{"timeout negative", func(m map[string]any) { obj(m, "consensus")["timeout_precommit"] = "-1s" }, "consensus.timeout_precommit", "outside"},
		{"timeout too long", func(m map[string]any) { obj(m, "consensus")["timeout_prevote"] = "11m" }, "consensus.timeout_prevote", "outside"},
		{"delta negative", func(m map[string]any) { obj(m, "consensus")["timeout_propose_delta"] = "-1ms" }, "consensus.timeout_propose_delta", "outside"},
		{"delta too long", func(m map[string]any) { obj(m, "consensus")["timeout_precommit_delta"] = "1h" }, "consensus.timeout_precommit_delta", "outside"},
		{"empty block interval negative", func(m map[string]any) { obj(m, "consensus")["empty_block_interval"] = "-1s" }, "consensus.empty_block_interval", "outside"},
		{"empty block interval too long", func(m map[string]any) { obj(m, "consensus")["empty_block_interval"] = "2h" }, "consensus.empty_block_interval", "outside"},
		{"max tx bytes zero", func(m map[string]any) { obj(m, "consensus")["max_tx_bytes"] = 0 }, "consensus.max_tx_bytes", "outside"},
		{"max tx bytes over ledger limit", func(m map[string]any) { obj(m, "consensus")["max_tx_bytes"] = 1<<20 + 513 }, "consensus.max_tx_bytes", "ledger"},
		{"max block txs zero", func(m map[string]any) { obj(m, "consensus")["max_block_txs"] = 0 }, "consensus.max_block_txs", "outside"},
		{"max block txs over ledger limit", func(m map[string]any) { obj(m, "consensus")["max_block_txs"] = 100_001 }, "consensus.max_block_txs", "ledger"},
		{"max block bytes below max tx bytes", func(m map[string]any) { obj(m, "consensus")["max_block_bytes"] = 1000 }, "consensus.max_block_bytes", "largest transaction"},
		{"max block bytes over ledger limit", func(m map[string]any) { obj(m, "consensus")["max_block_bytes"] = 64<<20 + 1 }, "consensus.max_block_bytes", "ledger"},
		{"max block bytes negative", func(m map[string]any) { obj(m, "consensus")["max_block_bytes"] = -1 }, "consensus.max_block_bytes", "uint64"},
		// validators
		{"no validators", func(m map[string]any) { m["validators"] = []any{} }, "validators", "at least one"},
		{"validators missing", func(m map[string]any) { delete(m, "validators") }, "validators", "at least one"},
		{"validator name empty", func(m map[string]any) { val(m, 1)["name"] = "" }, "validators[1].name", "1 to 64"},
		{"validator name with space", func(m map[string]any) { val(m, 1)["name"] = "node 1" }, "validators[1].name", ""},
		{"duplicate validator name", func(m map[string]any) { val(m, 2)["name"] = "node0" }, "validators[2].name", "validators[0]"},
		{"validator key short", func(m map[string]any) { val(m, 0)["pub_key"] = "abcd" }, "validators[0].pub_key", "64 hex"},
		{"validator key not hex", func(m map[string]any) { val(m, 0)["pub_key"] = strings.Repeat("zz", 32) }, "validators[0].pub_key", "hex"},
		{"validator key upper case", func(m map[string]any) {
			val(m, 0)["pub_key"] = strings.ToUpper(val(m, 0)["pub_key"].(string))
		}, "validators[0].pub_key", "lower-case"},
		{"validator key off the curve", func(m map[string]any) { val(m, 0)["pub_key"] = strings.Repeat("ff", 32) }, "validators[0].pub_key", "secp256k1"},
		{"duplicate validator key", func(m map[string]any) { val(m, 2)["pub_key"] = val(m, 0)["pub_key"] }, "validators[2].pub_key", "validators[0]"},
		{"peer id garbage", func(m map[string]any) { val(m, 1)["peer_id"] = "not-a-peer" }, "validators[1].peer_id", "peer id"},
		{"peer id empty", func(m map[string]any) { val(m, 1)["peer_id"] = "" }, "validators[1].peer_id", "peer id"},
		{"duplicate peer id", func(m map[string]any) { val(m, 2)["peer_id"] = val(m, 1)["peer_id"] }, "validators[2].peer_id", "validators[1]"},
		{"zero power", func(m map[string]any) { val(m, 1)["power"] = 0 }, "validators[1].power", "zero"},
		{"power too large", func(m map[string]any) { val(m, 1)["power"] = uint64(1)<<50 + 1 }, "validators[1].power", "exceeds"},
		{"power as string", func(m map[string]any) { val(m, 1)["power"] = "10" }, "validators.power", "uint64"},
		{"validator org missing", func(m map[string]any) { delete(val(m, 1), "org") }, "validators[1].org", "missing"},
		{"validator org unknown", func(m map[string]any) { val(m, 2)["org"] = "nobody" }, "validators[2].org", "not the id of a founding organisation"},
		{"validator org without organisations", func(m map[string]any) { m["organisations"] = []any{} }, "validators[0].org", "has none"},
		// organisations
		{"org id empty", func(m map[string]any) { org(m, 0)["id"] = "" }, "organisations[0].id", ""},
		{"org id upper case", func(m map[string]any) { org(m, 0)["id"] = "Farm" }, "organisations[0].id", "a-z"},
		{"org id starts with digit", func(m map[string]any) { org(m, 0)["id"] = "1farm" }, "organisations[0].id", "starting with a letter"},
		{"org id with dot", func(m map[string]any) { org(m, 0)["id"] = "farm.a" }, "organisations[0].id", ""},
		{"org id too long", func(m map[string]any) { org(m, 0)["id"] = strings.Repeat("a", 33) }, "organisations[0].id", "1 to 32"},
		{"too many prefixes", func(m map[string]any) {
			var ps []any
			for i := 0; i < 17; i++ {
				ps = append(ps, fmt.Sprintf("69999%02d", i))
			}
			org(m, 7)["gs1_company_prefixes"] = ps
		}, "organisations[7].gs1_company_prefixes", "at most 16"},
		{"too many admins", func(m map[string]any) {
			var ks []any
			for i := 0; i < 17; i++ {
				ks = append(ks, testKey(t, fmt.Sprint("many ", i)).PublicKey().String())
			}
			org(m, 7)["admins"] = ks
		}, "organisations[7].admins", "at most 16"},
		{"duplicate org id", func(m map[string]any) { org(m, 3)["id"] = org(m, 1)["id"] }, "organisations[3].id", "organisations[1]"},
		{"org name missing", func(m map[string]any) { delete(org(m, 2), "name") }, "organisations[2].name", "missing"},
		{"org name control char", func(m map[string]any) { org(m, 2)["name"] = "茶\n园" }, "organisations[2].name", "control"},
		{"org name padded", func(m map[string]any) { org(m, 2)["name"] = " 茶园" }, "organisations[2].name", "white space"},
		{"org name too long", func(m map[string]any) { org(m, 2)["name"] = strings.Repeat("茶", 67) }, "organisations[2].name", "201 bytes of UTF-8, at most 200"},
		{"org english name padded", func(m map[string]any) { org(m, 2)["name_en"] = "Tea " }, "organisations[2].name_en", "white space"},
		{"no roles", func(m map[string]any) { org(m, 0)["roles"] = []any{} }, "organisations[0].roles", "at least one"},
		{"unknown role", func(m map[string]any) { org(m, 0)["roles"] = []any{"farm", "miner"} }, "organisations[0].roles[1]", "unknown role"},
		{"repeated role", func(m map[string]any) { org(m, 0)["roles"] = []any{"farm", "auditor", "farm"} }, "organisations[0].roles[2]", "repeats roles[0]"},
		{"prefix with letter", func(m map[string]any) { org(m, 1)["gs1_company_prefixes"] = []any{"690123A"} }, "organisations[1].gs1_company_prefixes[0]", "digits"},
		{"prefix too short", func(m map[string]any) { org(m, 1)["gs1_company_prefixes"] = []any{"69012"} }, "organisations[1].gs1_company_prefixes[0]", "6 to 12"},
		{"prefix too long", func(m map[string]any) { org(m, 1)["gs1_company_prefixes"] = []any{"6901231000000"} }, "organisations[1].gs1_company_prefixes[0]", "6 to 12"},
		{"duplicate prefix in org", func(m map[string]any) {
			org(m, 1)["gs1_company_prefixes"] = []any{"6901231", "6901231"}
		}, "organisations[1].gs1_company_prefixes[1]", "duplicates organisations[1].gs1_company_prefixes[0]"},
		{"duplicate prefix across orgs", func(m map[string]any) {
			org(m, 4)["gs1_company_prefixes"] = []any{"6901237", "6901234"}
		}, "organisations[4].gs1_company_prefixes[1]", "duplicates organisations[2].gs1_company_prefixes[0]"},
		{"prefix begins an earlier one", func(m map[string]any) {
			org(m, 4)["gs1_company_prefixes"] = []any{"6901237", "690123"}
		}, "organisations[4].gs1_company_prefixes[1]", "must not overlap"},
		{"prefix extends an earlier one", func(m map[string]any) {
			org(m, 4)["gs1_company_prefixes"] = []any{"6901237", "69012345"}
		}, "organisations[4].gs1_company_prefixes[1]", "begins with organisations[2].gs1_company_prefixes[0]"},
		{"GLN short", func(m map[string]any) { org(m, 0)["glns"] = []any{"690123000001"} }, "organisations[0].glns[0]", "13 digits"},
		{"GLN bad check digit", func(m map[string]any) { org(m, 0)["glns"] = []any{"6901230000011"} }, "organisations[0].glns[0]", "check digit"},
		{"duplicate GLN", func(m map[string]any) { org(m, 0)["glns"] = []any{"6901230000010", "6901230000010"} }, "organisations[0].glns[1]", "organisations[0].glns[0]"},
		{"GLN under another org's prefix", func(m map[string]any) { org(m, 0)["glns"] = []any{"6901231000026"} }, "organisations[0].glns[0]", "not under"},
		{"no admins", func(m map[string]any) { org(m, 5)["admins"] = []any{} }, "organisations[5].admins", "at least one"},
		{"admin key malformed", func(m map[string]any) { org(m, 5)["admins"] = []any{"xyz"} }, "organisations[5].admins[0]", "64 hex"},
		{"admin key shared across orgs", func(m map[string]any) {
			org(m, 5)["admins"] = []any{otherKey, arr(org(m, 1), "admins")[0]}
		}, "organisations[5].admins[1]", "organisations[1].admins[0]"},
		// file
		{"unknown top-level field", func(m map[string]any) { m["app_state"] = map[string]any{} }, "app_state", "unknown field"},
		{"unknown validator field", func(m map[string]any) { val(m, 0)["address"] = "x" }, "address", "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testJSON(t)
			c.edit(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(b)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse: err = %v, want a *FieldError", err)
			}
			if fe.Field != c.field {
				t.Errorf("field = %q, want %q (error: %v)", fe.Field, c.field, err)
			}
			if !strings.Contains(fe.Reason, c.reason) {
				t.Errorf("reason %q does not contain %q", fe.Reason, c.reason)
			}
		})
	}
}

// No consensus field has a default: a file that omits one is refused,
// naming it, so the genesis hash is never computed over values the file
// did not state (docs/encoding.md answers an outside implementer with
// this).
func TestConsensusFieldsHaveNoDefaults(t *testing.T) {
	for _, key := range []string{"timeout_propose", "timeout_propose_delta", "timeout_prevote", "timeout_prevote_delta",
		"timeout_precommit", "timeout_precommit_delta", "empty_block_interval", "max_block_bytes", "max_block_txs", "max_tx_bytes"} {
		m := testJSON(t)
		delete(obj(m, "consensus"), key)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(b)
		var fe *FieldError
		if !errors.As(err, &fe) || d != nil {
			t.Errorf("without consensus.%s: Parse = %v, %v; want a *FieldError", key, d, err)
			continue
		}
		if fe.Field != "consensus."+key {
			t.Errorf("without consensus.%s: the error names %q", key, fe.Field)
		}
	}
}

func TestFileErrors(t *testing.T) {
	good := testDoc(t).JSON()
	cases := map[string][]byte{
		"empty":         {},
		"truncated":     good[:len(good)/2],
		"trailing data": append(append([]byte{}, good...), []byte("{}")...),
		"not an object": []byte("[1,2]"),
		"too large":     make([]byte, MaxFileBytes+1),
		"not UTF-8":     []byte(strings.Replace(string(good), "湄潭", "\xff\xfe", 1)),
	}
	for name, b := range cases {
		_, err := Parse(b)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want a *FieldError", name, err)
		}
	}
}

func TestValidDocumentAccepted(t *testing.T) {
	d := testDoc(t)
	got, err := Parse(d.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != d.Hash() {
		t.Fatal("hash changed across JSON round trip")
	}
	// Organisations are optional: a chain may start with none, and then
	// its validators name none.
	d.Organisations = nil
	for i := range d.Validators {
		d.Validators[i].Org = ""
	}
	if _, err := Parse(d.JSON()); err != nil {
		t.Fatalf("document without organisations: %v", err)
	}
}

func TestInvalidUTF8InDoc(t *testing.T) {
	d := testDoc(t)
	d.Organisations[2].Name = "\xff"
	var fe *FieldError
	if err := d.Validate(); !errors.As(err, &fe) || fe.Field != "organisations[2].name" {
		t.Fatalf("err = %v, want organisations[2].name", err)
	}
}
