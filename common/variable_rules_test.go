package common

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateVariableName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"A", true},
		{"_", true},
		{"CI_JOB_TOKEN", true},
		{"lower_9", true},
		{"", false},
		{"A B", false},
		{"9LIVES", false},
		{"A-B", false},
		{"A=B", false},
		{"Ä", false},
		{"A\x1b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateVariableName(tt.name)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			var bad *InvalidVariableNameError
			require.ErrorAs(t, err, &bad)
			assert.Equal(t, tt.name, bad.Name)
			assert.Contains(t, err.Error(), VariableNameRule)
		})
	}
}

func TestValidateMaskedValue(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  error
	}{
		{"eight ASCII characters", "abcdefgh", nil},
		{"eight characters of more bytes", "päßwörd!", nil},
		{"long", strings.Repeat("x", 100), nil},
		{"one character", "~", ErrMaskedTooShort},
		{"seven characters", "abcdefg", ErrMaskedTooShort},
		{"seven characters in more than eight bytes", "pääßwör", ErrMaskedTooShort},
		{"empty", "", ErrMaskedTooShort},
		{"two lines", "abcdefgh\nijklmnop", ErrMaskedMultiline},
		{"carriage return", "abcdefgh\r", ErrMaskedMultiline},
		{"short and two lines", "a\nb", ErrMaskedMultiline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateMaskedValue(tt.value)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			var mve *MaskedValueError
			require.ErrorAs(t, err, &mve)
			if tt.value != "" {
				assert.NotContains(t, err.Error(), tt.value, "the message never shows the value")
			}
		})
	}
}

func TestJobVariablesValidate(t *testing.T) {
	tests := []struct {
		name    string
		vars    JobVariables
		wantErr []string // substrings, one per problem
	}{
		{"fine", JobVariables{{Key: "A", Value: "1"}, {Key: "TOKEN", Value: "s3cr3t-value", Masked: true}}, nil},
		{"unmasked short value is fine", JobVariables{{Key: "A", Value: "e"}}, nil},
		{"bad name", JobVariables{{Key: "A B", Value: "1"}}, []string{`variable "A B" is not a valid variable name`}},
		{"short masked value", JobVariables{{Key: "X", Value: "~", Masked: true}}, []string{`variable "X": a masked value needs at least 8 characters (the value has 1; it is not shown)`}},
		{"every problem", JobVariables{{Key: "1X", Value: "hunter", Masked: true}, {Key: "Y", Value: "a\nbcdefghi", Masked: true}},
			[]string{`"1X" is not a valid`, `variable "1X": a masked value needs`, `variable "Y": a masked value must be a single line`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.vars.Validate()
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			joined, ok := err.(interface{ Unwrap() []error })
			require.True(t, ok)
			require.Len(t, joined.Unwrap(), len(tt.wantErr))
			for i, want := range tt.wantErr {
				assert.Contains(t, joined.Unwrap()[i].Error(), want)
				var ve *VariableError
				require.True(t, errors.As(joined.Unwrap()[i], &ve))
			}
			for _, v := range tt.vars {
				if v.Masked {
					assert.NotContains(t, err.Error(), v.Value)
				}
			}
		})
	}
}
