package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qianchain/qianchain/genesis"
	"github.com/qianchain/qianchain/ledger/keyring"
	"github.com/qianchain/qianchain/ledger/store"
	"github.com/qianchain/qianchain/node/config"
	"github.com/qianchain/qianchain/node/nodekey"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // bad flags or arguments
)

// env is everything a command touches outside its arguments, so that tests
// run commands in-process with their own streams and keyring settings.
type env struct {
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
	prompter keyring.Prompter // nil when standard input is not a terminal
	// keyringOpts are passed to keyring.Open; tests set InsecureTestKDF.
	keyringOpts []keyring.Option
}

// usageError marks errors in how a command was called.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// args checks the number of positional arguments, as a usage error.
func args(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if len(a) != n {
			return usagef("%s takes %s, got %d argument(s); see %s --help", cmd.CommandPath(), names, len(a), cmd.CommandPath())
		}
		return nil
	}
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "qian",
		Short: "Qianchain (黔链): a permissioned blockchain for agricultural traceability",
		Long: `Qianchain (黔链) is a permissioned blockchain for agricultural supply-chain
traceability and data notarisation. This one binary is the whole toolset:

  found a network  consortium (join requests, genesis assembly and checks)
  run a network    init, testnet, start, devnet, status, config
  sign and send    keys (an encrypted keyring), trace (GS1 EPCIS 2.0 events),
                   notary (file hashes), account and org (membership),
                   validator (governance of the validator set)
  connect systems  gateway (GS1 EPCIS 2.0 REST for a company's own systems,
                   holding its keys)
  prove and check  proof (a bundle from a node), verify (a bundle or a notary
                   certificate, against genesis.json alone), audit (a whole
                   chain, re-executed from genesis)
  tools            qr (a lot page's QR code), bench (measure throughput),
                   version

Configuration: config.toml in the home (--home, QIAN_HOME, ~/.qian), QIAN_*
environment variables and flags; a flag beats the environment, which beats the
file, which beats the default. docs/operations.md lists every key.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.CompletionOptions.DisableDefaultCmd = true
	config.AddHomeFlag(root.PersistentFlags())
	root.AddCommand(newVersionCmd(e), newKeysCmd(e), newInitCmd(e), newConsortiumCmd(e), newTestnetCmd(e), newConfigCmd(e),
		newStartCmd(e), newDevnetCmd(e), newStatusCmd(e),
		newTraceCmd(e), newNotaryCmd(e), newAccountCmd(e), newOrgCmd(e), newValidatorCmd(e), newBenchCmd(e), newQRCmd(e),
		newProofCmd(e), newVerifyCmd(e), newAuditCmd(e), newGatewayCmd(e))
	return root
}

// run executes the command line and returns the exit code. Errors go to
// stderr as "error (code): message".
func run(argv []string, e *env) int {
	root := newRootCmd(e)
	root.SetArgs(argv)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "error (%s): %v\n", errorCode(err), err)
	if isUsage(err) {
		return exitUsage
	}
	return exitError
}

func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	// cobra's own argument errors are not typed.
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.HasPrefix(msg, "required flag")
}

// errorCode is a stable, machine-readable name for the kind of error.
func errorCode(err error) string {
	var fe *genesis.FieldError
	var ge *genesis.CeremonyError
	var ce *config.Error
	switch {
	case isUsage(err):
		return "usage"
	case errors.As(err, new(*apiError)):
		var a *apiError
		errors.As(err, &a)
		return a.e.Code
	case errors.Is(err, keyring.ErrWrongPassphrase):
		return "wrong_passphrase"
	case errors.Is(err, keyring.ErrNoPassphrase):
		return "no_passphrase"
	case errors.Is(err, keyring.ErrInvalidName):
		return "invalid_key_name"
	case errors.Is(err, keyring.ErrNotFound):
		return "key_not_found"
	case errors.Is(err, keyring.ErrExists), errors.Is(err, nodekey.ErrExists):
		return "key_exists"
	case errors.Is(err, keyring.ErrInsecureMode), errors.Is(err, nodekey.ErrInsecureMode):
		return "insecure_file_mode"
	case errors.Is(err, keyring.ErrCorrupt), errors.Is(err, nodekey.ErrCorrupt):
		return "corrupt_key_file"
	case errors.As(err, &ge):
		return ge.Code
	case errors.As(err, &fe):
		if fe.Code != "" {
			return fe.Code // invalid_genesis, or bad_signature for a founding entry altered after signing
		}
		return "invalid_genesis"
	case errors.As(err, &ce):
		return "invalid_config"
	case errors.Is(err, store.ErrFormat):
		return "store_format"
	}
	return "failed"
}

// confirm asks a yes/no question on an interactive terminal; without one it
// returns false, and the caller asks for --yes instead.
func (e *env) confirm(question string) bool {
	if e.prompter == nil {
		return false
	}
	fmt.Fprintf(e.stderr, "%s [y/N] ", question)
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

func isCorrupt(err error) bool { return errors.Is(err, keyring.ErrCorrupt) }
