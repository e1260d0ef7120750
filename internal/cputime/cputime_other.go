//go:build !unix

// Package cputime reads the CPU time this process has used (see
// cputime_unix.go).
package cputime

import "time"

var processStart = time.Now()

// Process falls back to wall time where getrusage is not available.
func Process() time.Duration { return time.Since(processStart) }
