package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"kuberunner/common"
	"kuberunner/helpers/suggest"
)

// The decoder fills Config from the generic map the toml parser produced,
// instead of letting toml.Decode fill the structs. toml.Decode stops at the
// first wrong type and names keys without array indexes; walking the map
// ourselves lets us report every problem at its own key and line, and turn
// every key without a field into one warning. The struct tags stay the one
// description of which keys exist.

type decoder struct {
	file  string
	lines lineIndex
	errs  []*Error
	warns []Warning
	// suggested counts "did you mean" lookups; see maxSuggestions.
	suggested int
}

// maxSuggestions bounds the "did you mean" lookups per file. Each costs an
// edit distance against every key of the table; a file with more unknown
// keys than this is not a file of typos, and the bound keeps its memory in
// proportion to its size (see MaxWeight).
const maxSuggestions = 100

// fail records a problem at p. It redacts here, where every problem gets
// its key, so that the Error a caller receives holds no secret in any
// field, not only in its rendering.
func (d *decoder) fail(p keyPath, e *Error) {
	e.File, e.Line, e.Key = d.file, d.lines.line(p), p.String()
	d.errs = append(d.errs, e.redact())
}

func (d *decoder) warn(p keyPath, msg string) {
	d.warns = append(d.warns, Warning{File: d.file, Line: d.lines.line(p), Key: p.String(), Message: msg})
}

// sorted returns the problems in file order, so the output reads top to
// bottom whatever order Go's maps visited the keys in.
func (d *decoder) sorted() ([]Warning, error) {
	sort.SliceStable(d.warns, func(i, j int) bool {
		return d.warns[i].Line < d.warns[j].Line ||
			d.warns[i].Line == d.warns[j].Line && d.warns[i].Key < d.warns[j].Key
	})
	sort.SliceStable(d.errs, func(i, j int) bool {
		return d.errs[i].Line < d.errs[j].Line ||
			d.errs[i].Line == d.errs[j].Line && d.errs[i].Key < d.errs[j].Key
	})
	if len(d.errs) == 0 {
		return d.warns, nil
	}
	errs := make([]error, len(d.errs))
	for i, e := range d.errs {
		errs[i] = e
	}
	return d.warns, errors.Join(errs...)
}

func (d *decoder) wrongType(p keyPath, v any, want string) {
	d.failType(p, common.NewWrongTypeError(v, want))
}

func (d *decoder) failType(p keyPath, wt *common.WrongTypeError) {
	d.fail(p, &Error{
		Value:   wt.Value,
		Msg:     fmt.Sprintf("%s is %s", wt.Value, wt.Got),
		Allowed: wt.Want,
		Err:     wt,
	})
}

// tomlFields maps each TOML key of struct type t to its field's index
// path. An embedded struct without a tag lends its keys to t, as the TOML
// library's encoder flattens it, so a group of keys can live in a file of
// its own and still be keys of the table.
//
// The maps are built once per type and shared (read-only): a file of many
// runners decodes the same types again and again.
func tomlFields(t reflect.Type) map[string][]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string][]int)
	}
	f := buildFields(t)
	fieldCache.Store(t, f)
	return f
}

var fieldCache sync.Map // reflect.Type -> map[string][]int

func buildFields(t reflect.Type) map[string][]int {
	fields := make(map[string][]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for key, index := range tomlFields(f.Type) {
				fields[key] = append([]int{i}, index...)
			}
			continue
		}
		if name != "" && name != "-" {
			fields[name] = []int{i}
		}
	}
	return fields
}

// unsupportedMessage is the warning text for a key without a field. A close
// match among the supported keys is offered, because a typo there is far
// more likely than an operator relying on a GitLab Runner-only key.
func (d *decoder) unsupportedMessage(key string, fields map[string][]int) string {
	const msg = "not supported by kuberunner; ignored"
	if d.suggested >= maxSuggestions {
		return msg
	}
	d.suggested++
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	if s := suggest.Closest(key, names); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// decodeTable fills the struct rv from table m. A whole unsupported table
// ([runners.cache], [[runners.kubernetes.volumes.host_path]]) is one key of
// its parent and so gets one warning.
func (d *decoder) decodeTable(m map[string]any, rv reflect.Value, p keyPath) {
	fields := tomlFields(rv.Type())
	strict := isStrictTable(rv)
	for key, v := range m {
		i, ok := fields[key]
		if reason, secure := unimplementedSecurityKey(rv, key); !ok && secure {
			d.fail(p.child(key), &Error{Msg: "is a security setting kuberunner does not implement (" + reason + "); a job must not run without it",
				Allowed: "remove the key, or use a runner that implements it"})
			continue
		}
		if !ok && strict {
			d.fail(p.child(key), &Error{Msg: "is not a key of this security table; kuberunner refuses to drop a security setting",
				Allowed: strings.Join(sortedKeys(fields), ", ")})
			continue
		}
		if !ok {
			d.warn(p.child(key), d.unsupportedMessage(key, fields))
			continue
		}
		d.decodeValue(v, rv.FieldByIndex(i), p.child(key))
	}
}

func sortedKeys(fields map[string][]int) []string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

var pullPoliciesType = reflect.TypeFor[common.PullPolicies]()

// decodeValue stores v into fv, reporting a mismatch at p. It handles
// exactly the kinds config.go uses; anything else is reported, not a panic,
// so a new field of an unexpected type shows up in the tests.
func (d *decoder) decodeValue(v any, fv reflect.Value, p keyPath) {
	switch fv.Type() {
	case pullPoliciesType:
		d.decodePullPolicies(v, fv, p)
		return
	case timeType:
		d.decodeTime(v, fv, p)
		return
	}
	switch fv.Kind() {
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			d.wrongType(p, v, describeType(fv.Type()))
			return
		}
		fv.SetString(s)
	case reflect.Int:
		n, ok := v.(int64)
		if !ok {
			d.wrongType(p, v, describeType(fv.Type()))
			return
		}
		if n < math.MinInt || n > math.MaxInt {
			d.fail(p, &Error{Value: fmt.Sprint(n), Msg: fmt.Sprintf("%d is out of range", n), Allowed: "an integer that fits in a Go int"})
			return
		}
		if !d.inRange(p, n) {
			return
		}
		fv.SetInt(n)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			d.wrongType(p, v, describeType(fv.Type()))
			return
		}
		fv.SetBool(b)
	case reflect.Pointer:
		elem := reflect.New(fv.Type().Elem())
		d.decodeValue(v, elem.Elem(), p)
		fv.Set(elem)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			d.wrongType(p, v, describeType(fv.Type()))
			return
		}
		d.decodeTable(m, fv, p)
	case reflect.Slice:
		d.decodeSlice(v, fv, p)
	case reflect.Map:
		d.decodeMap(v, fv, p)
	default:
		d.fail(p, &Error{Msg: fmt.Sprintf("kuberunner cannot decode a field of type %s", fv.Type())})
	}
}

// timeType is a TOML date-time's: token_expires_at's, say.
var timeType = reflect.TypeFor[time.Time]()

// decodeTime stores a TOML date-time.
func (d *decoder) decodeTime(v any, fv reflect.Value, p keyPath) {
	t, ok := v.(time.Time)
	if !ok {
		d.wrongType(p, v, describeType(fv.Type()))
		return
	}
	fv.Set(reflect.ValueOf(t))
}

// describeType says in TOML terms what a field wants, for "allowed:".
func describeType(t reflect.Type) string {
	if t == timeType {
		return "a date-time such as 2025-01-31T12:00:00Z"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int:
		return "an integer"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.Struct:
		return "a table"
	case reflect.Map:
		return "a table of " + plural(describeType(t.Elem()))
	case reflect.Slice:
		return "an array of " + plural(describeType(t.Elem()))
	}
	return t.String()
}

// plural turns "a string" into "strings" and "an integer" into "integers".
func plural(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "an "), "a ")
	if name, rest, ok := strings.Cut(s, " "); ok {
		return name + "s " + rest
	}
	return s + "s"
}

func (d *decoder) decodeSlice(v any, fv reflect.Value, p keyPath) {
	var items []any
	switch v := v.(type) {
	case []any:
		items = v
	case []map[string]any: // [[array.of.tables]]
		items = make([]any, len(v))
		for i, m := range v {
			items[i] = m
		}
	default:
		d.wrongType(p, v, describeType(fv.Type()))
		return
	}
	out := reflect.MakeSlice(fv.Type(), len(items), len(items))
	for i, item := range items {
		d.decodeValue(item, out.Index(i), p.at(i))
	}
	fv.Set(out)
}

func (d *decoder) decodeMap(v any, fv reflect.Value, p keyPath) {
	m, ok := v.(map[string]any)
	if !ok {
		d.wrongType(p, v, describeType(fv.Type()))
		return
	}
	if fv.Type().Key().Kind() != reflect.String {
		d.fail(p, &Error{Msg: fmt.Sprintf("kuberunner cannot decode a field of type %s", fv.Type())})
		return
	}
	out := reflect.MakeMapWithSize(fv.Type(), len(m))
	for key, item := range m {
		elem := reflect.New(fv.Type().Elem()).Elem()
		d.decodeValue(item, elem, p.child(key))
		out.SetMapIndex(reflect.ValueOf(key).Convert(fv.Type().Key()), elem)
	}
	fv.Set(out)
}

// decodePullPolicies reports each bad entry of an array at its own index.
func (d *decoder) decodePullPolicies(v any, fv reflect.Value, p keyPath) {
	list, errs := common.DecodePullPolicies(v)
	for _, e := range errs {
		ep := p
		if e.Index >= 0 {
			ep = p.at(e.Index)
		}
		var unknown *common.UnknownPullPolicyError
		var wt *common.WrongTypeError
		switch {
		case errors.As(e.Err, &unknown):
			d.fail(ep, &Error{
				Value:   unknown.Value,
				Msg:     unknown.Problem(),
				Allowed: common.AllowedPullPolicyNames(),
				Hint:    unknown.Hint(),
				Err:     unknown,
			})
		case errors.As(e.Err, &wt):
			d.failType(ep, wt)
		default:
			d.fail(ep, &Error{Msg: e.Err.Error(), Err: e.Err})
		}
	}
	if len(errs) == 0 {
		fv.Set(reflect.ValueOf(list))
	}
}
