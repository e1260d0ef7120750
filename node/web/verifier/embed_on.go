//go:build verifierwasm

package verifier

import _ "embed"

//go:embed qian-verify.wasm
var embedded []byte
