// Command qian is Qianchain's one binary: node setup (init, testnet), the
// account keyring (keys) and, as later issues land, the node itself and the
// client commands. Each command is a thin layer over a package that holds
// the logic and its tests; see docs/operations.md.
package main

import (
	"os"

	"github.com/qianchain/qianchain/ledger/keyring"
)

func main() {
	e := &env{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		prompter: keyring.TerminalPrompter(os.Stdin, os.Stderr),
	}
	os.Exit(run(os.Args[1:], e))
}
