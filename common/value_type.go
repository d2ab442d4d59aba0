package common

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// WrongTypeError is a value of the wrong kind, for example a string where
// config.toml wants an integer. Got and Want carry their article ("a string",
// "an integer") so that messages read naturally.
type WrongTypeError struct {
	Value string // the value as written, shortened for long input
	Got   string
	Want  string
}

func (e *WrongTypeError) Error() string {
	return fmt.Sprintf("%s is %s, not %s", e.Value, e.Got, e.Want)
}

// NewWrongTypeError describes v, a decoded TOML or JSON value, as not being
// what want says.
func NewWrongTypeError(v any, want string) *WrongTypeError {
	return &WrongTypeError{Value: renderValue(v), Got: typeName(v), Want: want}
}

// typeName names the kind of a decoded TOML or JSON value, with its article.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case int64, int:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date-time"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	}
	return fmt.Sprintf("a %T", v)
}

// maxRenderedValue keeps messages readable when someone pastes a blob.
const maxRenderedValue = 80

// renderValue writes a decoded value back in TOML-like syntax for messages.
func renderValue(v any) string {
	var b strings.Builder
	writeValue(&b, v, 0)
	s := b.String()
	if len(s) > maxRenderedValue {
		s = s[:maxRenderedValue-3] + "..."
	}
	return s
}

// writeValue stops descending early: only the first few nested levels and
// items can fit in a message anyway, and deep input must not cost much.
func writeValue(b *strings.Builder, v any, depth int) {
	if depth > 3 || b.Len() > maxRenderedValue {
		b.WriteString("...")
		return
	}
	switch v := v.(type) {
	case string:
		b.WriteString(strconv.Quote(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case time.Time:
		b.WriteString(v.Format(time.RFC3339Nano))
	case []any:
		writeList(b, v, depth)
	case []map[string]any:
		writeList(b, v, depth)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(TOMLKey(k))
			b.WriteString(" = ")
			writeValue(b, v[k], depth+1)
			if b.Len() > maxRenderedValue {
				break
			}
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

// writeList renders an array of either shape the TOML decoder produces.
func writeList[T any](b *strings.Builder, items []T, depth int) {
	b.WriteByte('[')
	for i, item := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		writeValue(b, item, depth+1)
		if b.Len() > maxRenderedValue {
			break
		}
	}
	b.WriteByte(']')
}

// TOMLKey writes a key bare when TOML allows it and quoted otherwise, so
// node_selector."kubernetes.io/os" stays one key in a message.
func TOMLKey(k string) string {
	if k == "" {
		return `""`
	}
	for _, r := range k {
		if !IsBareKeyChar(r) {
			return strconv.Quote(k)
		}
	}
	return k
}

// IsBareKeyChar: the characters TOML allows in a key without quotes.
func IsBareKeyChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}
