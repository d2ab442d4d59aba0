package common

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file owns two rules every front door applies to CI/CD variables:
// config.toml's environment, .gitlab-ci.yml's variables, the exec flags
// and the coordinator's payload call these functions, so a name or a
// masked value is accepted by all of them or by none.

// VariableNameRule says in words what ValidateVariableName accepts, for the
// "allowed:" part of messages.
const VariableNameRule = "letters, digits and _, not starting with a digit"

// InvalidVariableNameError is a variable name a shell could not export.
type InvalidVariableNameError struct {
	Name string
}

func (e *InvalidVariableNameError) Error() string {
	if e.Name == "" {
		return "an empty variable name is not valid; use " + VariableNameRule
	}
	return fmt.Sprintf("%q is not a valid variable name; use %s", e.Name, VariableNameRule)
}

// ValidateVariableName accepts [A-Za-z_][A-Za-z0-9_]*: the names a POSIX
// shell can export, and so the only ones the job's script can read.
func ValidateVariableName(name string) error {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return &InvalidVariableNameError{Name: name}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return &InvalidVariableNameError{Name: name}
		}
	}
	return nil
}

// MinMaskedLength is GitLab's shortest maskable value. A shorter value
// would be found all over the log (masking "e" hides every e), and what the
// mask hides would tell the reader the secret.
const MinMaskedLength = 8

// ErrMaskedTooShort and ErrMaskedMultiline are why a value cannot be
// masked; MaskedValueError wraps one of them.
var (
	ErrMaskedTooShort  = fmt.Errorf("a masked value needs at least %d characters", MinMaskedLength)
	ErrMaskedMultiline = errors.New("a masked value must be a single line")
)

// MaskedValueError says why a value cannot be masked. It never holds the
// value: the message is printed, and the value is a secret.
type MaskedValueError struct {
	Reason error // ErrMaskedTooShort or ErrMaskedMultiline
	Length int   // characters in the value, to help find the mistake
}

func (e *MaskedValueError) Error() string {
	return fmt.Sprintf("%v (the value has %d; it is not shown)", e.Reason, e.Length)
}

func (e *MaskedValueError) Unwrap() error { return e.Reason }

// ValidateMaskedValue applies GitLab's rule for masked values: a single
// line of at least MinMaskedLength characters. An empty value is refused
// too: it is nearly always a variable that expanded to nothing
// (--masked-env TOKEN=$TOKEN with TOKEN unset), and the job would run
// without the secret it was given.
func ValidateMaskedValue(value string) error {
	n := utf8.RuneCountInString(value)
	if strings.ContainsAny(value, "\r\n") {
		return &MaskedValueError{Reason: ErrMaskedMultiline, Length: n}
	}
	if n < MinMaskedLength {
		return &MaskedValueError{Reason: ErrMaskedTooShort, Length: n}
	}
	return nil
}

// VariableError is a job variable refused by ValidateVariableName or
// ValidateMaskedValue. Key is shown; the value never is.
type VariableError struct {
	Key string
	Err error
}

func (e *VariableError) Error() string {
	var bad *InvalidVariableNameError
	if errors.As(e.Err, &bad) {
		return "variable " + e.Err.Error()
	}
	return fmt.Sprintf("variable %q: %v", e.Key, e.Err)
}

func (e *VariableError) Unwrap() error { return e.Err }

// Validate checks every variable of the job model: each name, and each
// masked value. It is what a job from any source goes through before it
// runs; all problems are returned, joined.
func (vs JobVariables) Validate() error {
	var errs []error
	for _, v := range vs {
		if err := ValidateVariableName(v.Key); err != nil {
			errs = append(errs, &VariableError{Key: v.Key, Err: err})
		}
		if v.Masked {
			if err := ValidateMaskedValue(v.Value); err != nil {
				errs = append(errs, &VariableError{Key: v.Key, Err: err})
			}
		}
	}
	return errors.Join(errs...)
}
