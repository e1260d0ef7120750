package genesis

import "fmt"

// FieldError is a genesis rule broken by one field. Field is a path in the
// JSON document ("chain_id", "validators[2].power",
// "organisations[0].glns[1]"); Reason is a sentence.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("genesis: %s: %s", e.Field, e.Reason) }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
