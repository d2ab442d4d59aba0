package docscheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"unicode"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// index is what the repository declares: its Go files, each package's
// top-level names, each type's methods and fields, and every declared
// name; plus the Kubernetes API's JSON field names, which the document
// quotes as often as our own.
type index struct {
	files   []string                   // slash paths from the root
	pkgs    map[string]map[string]bool // package name -> top-level names
	members map[string]map[string]bool // type name -> methods and fields
	names   map[string]bool
	apiKeys map[string]bool
}

func indexRepo(root string) (*index, error) {
	idx := &index{pkgs: map[string]map[string]bool{}, members: map[string]map[string]bool{}, names: map[string]bool{}, apiKeys: map[string]bool{}}
	for _, v := range []any{corev1.Pod{}, corev1.Node{}, corev1.Secret{}, appsv1.Deployment{}, rbacv1.Role{}} {
		collectJSONKeys(reflect.TypeOf(v), idx.apiKeys, map[reflect.Type]bool{})
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		idx.files = append(idx.files, filepath.ToSlash(rel))
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		idx.addFile(filepath.Base(filepath.Dir(path)), f)
		return nil
	})
	return idx, err
}

func (idx *index) addFile(dir string, f *ast.File) {
	top := idx.pkg(f.Name.Name)
	if dir != f.Name.Name {
		idx.pkgs[dir] = top
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			idx.addFunc(top, d)
		case *ast.GenDecl:
			idx.addGen(top, d)
		}
	}
}

func (idx *index) pkg(name string) map[string]bool {
	if idx.pkgs[name] == nil {
		idx.pkgs[name] = map[string]bool{}
	}
	return idx.pkgs[name]
}

func (idx *index) member(typ string) map[string]bool {
	if idx.members[typ] == nil {
		idx.members[typ] = map[string]bool{}
	}
	return idx.members[typ]
}

func (idx *index) addFunc(top map[string]bool, d *ast.FuncDecl) {
	idx.names[d.Name.Name] = true
	if d.Recv == nil || len(d.Recv.List) == 0 {
		top[d.Name.Name] = true
		return
	}
	idx.member(receiverType(d.Recv.List[0].Type))[d.Name.Name] = true
}

func receiverType(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiverType(e.X)
	case *ast.IndexExpr:
		return receiverType(e.X)
	case *ast.IndexListExpr:
		return receiverType(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}

func (idx *index) addGen(top map[string]bool, d *ast.GenDecl) {
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			top[s.Name.Name], idx.names[s.Name.Name] = true, true
			idx.addFields(s.Name.Name, s.Type)
		case *ast.ValueSpec:
			for _, n := range s.Names {
				top[n.Name], idx.names[n.Name] = true, true
			}
		}
	}
}

func (idx *index) addFields(typ string, e ast.Expr) {
	var list *ast.FieldList
	switch e := e.(type) {
	case *ast.StructType:
		list = e.Fields
	case *ast.InterfaceType:
		list = e.Methods
	}
	if list == nil {
		return
	}
	for _, f := range list.List {
		for _, n := range f.Names {
			idx.member(typ)[n.Name], idx.names[n.Name] = true, true
		}
		if len(f.Names) == 0 { // embedded: its name is the type's
			idx.member(typ)[receiverType(f.Type)] = true
		}
	}
}

func collectJSONKeys(t reflect.Type, keys map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			keys[name] = true
		}
		collectJSONKeys(f.Type, keys, seen)
	}
}

// check says what is wrong with one name the document uses, if anything.
func (idx *index) check(name string) error {
	name = strings.TrimRight(name, ".")
	switch {
	case strings.HasSuffix(name, ".go"):
		return idx.checkFile(name)
	case strings.ContainsAny(name, "/-"):
		return nil // a path, a flag, a label: not a Go name
	case strings.Contains(name, "."):
		return idx.checkQualified(strings.Split(name, "."))
	case lowerCamel(name) && !idx.names[name] && !idx.apiKeys[name]:
		return fmt.Errorf("no Go declaration is named %s", name)
	}
	return nil
}

func (idx *index) checkFile(name string) error {
	for _, f := range idx.files {
		if f == name || strings.HasSuffix(f, "/"+name) {
			return nil
		}
	}
	return fmt.Errorf("no Go file %s", name)
}

// checkQualified checks pkg.Name, pkg.Type.Member and Type.Member; other
// dotted text (config.toml, pod.Spec.Affinity) is left alone unless its
// first part reads as one of our identifiers.
func (idx *index) checkQualified(parts []string) error {
	for _, p := range parts {
		if !isIdent(p) {
			return nil
		}
	}
	for _, p := range parts[1:] {
		if fileExt[p] {
			return nil // config.toml, config.toml.lock, README.md
		}
	}
	head, rest := parts[0], parts[1:]
	if top, ok := idx.pkgs[head]; ok && top[rest[0]] {
		head, rest = rest[0], rest[1:]
		if len(rest) == 0 {
			return nil
		}
	}
	m, isType := idx.members[head]
	switch {
	case isType && m[rest[0]]:
		return nil
	case isType:
		return fmt.Errorf("type %s has no method or field %s", head, rest[0])
	case idx.pkgs[head] != nil:
		return fmt.Errorf("package %s declares no %s", head, rest[0])
	case lowerCamel(head) && !idx.names[head] && !idx.apiKeys[head]:
		return fmt.Errorf("no Go declaration is named %s", head)
	}
	return nil
}

var fileExt = map[string]bool{"toml": true, "md": true, "yaml": true, "yml": true, "json": true, "sh": true, "mod": true, "sum": true, "txt": true}

// lowerCamel is a name only Go code would have: lower case first, an
// upper-case letter later (readPod, attemptLoop).
func lowerCamel(s string) bool {
	if s == "" || !unicode.IsLower(rune(s[0])) || !isIdent(s) {
		return false
	}
	return strings.IndexFunc(s, unicode.IsUpper) > 0
}

func isIdent(s string) bool {
	if s == "" || unicode.IsDigit(rune(s[0])) {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) }) < 0
}
