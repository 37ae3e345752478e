// Package apicheck lists the exported API of a package as sorted text lines, one feature
// a line, and compares it with a committed listing (api/*.txt), so that an accidental
// change of smileid's or smileidtest's API fails the tests. Types that the API reaches in
// this module's other packages (the generated wire types smileid aliases) are listed too:
// a spec change that alters them changes smileid's API.
package apicheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// Features returns the exported API of the package with import path pkgPath, in the
// module at dir, one line a feature, sorted.
func Features(dir, pkgPath string) ([]string, error) {
	pkg, err := load(dir, pkgPath)
	if err != nil {
		return nil, err
	}
	module := modulePrefix(pkgPath)
	w := &walker{module: module, home: pkg, seen: map[*types.TypeName]bool{}}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		w.object(obj)
	}
	for len(w.queue) > 0 {
		tn := w.queue[0]
		w.queue = w.queue[1:]
		w.typeBody(tn)
	}
	sort.Strings(w.lines)
	return dedupe(w.lines), nil
}

// load type-checks pkgPath from the export data the go command builds.
func load(dir, pkgPath string) (*types.Package, error) {
	cmd := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Export", pkgPath)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.String())
	}
	exports := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		exports[p.ImportPath] = p.Export
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	return imp.Import(pkgPath)
}

func modulePrefix(pkgPath string) string {
	// The module path is the first three elements of a github.com path.
	parts := strings.Split(pkgPath, "/")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return strings.Join(parts, "/")
}

type walker struct {
	module string
	home   *types.Package
	lines  []string
	seen   map[*types.TypeName]bool
	queue  []*types.TypeName
}

func (w *walker) add(format string, args ...any) {
	w.lines = append(w.lines, fmt.Sprintf(format, args...))
}

// qualifier names packages by their import path's last element, and notes the named
// types of this module that the API reaches, so that their bodies are listed too.
func (w *walker) qualifier(p *types.Package) string {
	if p == w.home {
		return ""
	}
	return p.Name()
}

func (w *walker) typeString(t types.Type) string {
	w.reach(t)
	return types.TypeString(t, w.qualifier)
}

// sigString writes a signature without its parameter names (renaming a parameter breaks
// nobody): "(string, ...Option) (*Client, error)".
func (w *walker) sigString(sig *types.Signature) string {
	var b strings.Builder
	tuple := func(t *types.Tuple, variadic bool) {
		for i := 0; i < t.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			typ := t.At(i).Type()
			if variadic && i == t.Len()-1 {
				b.WriteString("...")
				typ = typ.(*types.Slice).Elem()
			}
			b.WriteString(w.typeString(typ))
		}
	}
	if tp := sig.TypeParams(); tp != nil && tp.Len() > 0 {
		b.WriteString("[")
		for i := 0; i < tp.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tp.At(i).Obj().Name() + " " + w.typeString(tp.At(i).Constraint()))
		}
		b.WriteString("]")
	}
	b.WriteString("(")
	tuple(sig.Params(), sig.Variadic())
	b.WriteString(")")
	switch r := sig.Results(); r.Len() {
	case 0:
	case 1:
		b.WriteString(" ")
		tuple(r, false)
	default:
		b.WriteString(" (")
		tuple(r, false)
		b.WriteString(")")
	}
	return b.String()
}

// reach queues every named type of this module (outside the home package) inside t.
func (w *walker) reach(t types.Type) {
	switch t := t.(type) {
	case *types.Named:
		tn := t.Obj()
		if tn.Pkg() != nil && tn.Pkg() != w.home && strings.HasPrefix(tn.Pkg().Path(), w.module) && !w.seen[tn] {
			w.seen[tn] = true
			w.queue = append(w.queue, tn)
		}
		if args := t.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				w.reach(args.At(i))
			}
		}
	case *types.Alias:
		w.reach(types.Unalias(t))
	case *types.Pointer:
		w.reach(t.Elem())
	case *types.Slice:
		w.reach(t.Elem())
	case *types.Array:
		w.reach(t.Elem())
	case *types.Map:
		w.reach(t.Key())
		w.reach(t.Elem())
	case *types.Chan:
		w.reach(t.Elem())
	case *types.Signature:
		for i := 0; i < t.Params().Len(); i++ {
			w.reach(t.Params().At(i).Type())
		}
		for i := 0; i < t.Results().Len(); i++ {
			w.reach(t.Results().At(i).Type())
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if t.Field(i).Exported() {
				w.reach(t.Field(i).Type())
			}
		}
	}
}

func (w *walker) object(obj types.Object) {
	pkg := obj.Pkg().Name()
	switch o := obj.(type) {
	case *types.Const:
		w.add("pkg %s, const %s %s = %s", pkg, o.Name(), w.typeString(o.Type()), o.Val().ExactString())
	case *types.Var:
		w.add("pkg %s, var %s %s", pkg, o.Name(), w.typeString(o.Type()))
	case *types.Func:
		w.add("pkg %s, func %s%s", pkg, o.Name(), w.sigString(o.Type().(*types.Signature)))
	case *types.TypeName:
		if o.IsAlias() {
			w.add("pkg %s, type %s = %s", pkg, o.Name(), w.typeString(o.Type()))
			// The alias's fields and methods are this package's API.
			w.members(pkg, o.Name(), types.Unalias(o.Type()))
			return
		}
		w.add("pkg %s, type %s %s", pkg, o.Name(), w.kind(o.Type().Underlying()))
		w.members(pkg, o.Name(), o.Type())
	}
}

// typeBody lists a reached type of another package of this module.
func (w *walker) typeBody(tn *types.TypeName) {
	pkg := tn.Pkg().Name()
	w.add("pkg %s, type %s %s", pkg, tn.Name(), w.kind(tn.Type().Underlying()))
	w.members(pkg, tn.Name(), tn.Type())
}

func (w *walker) kind(u types.Type) string {
	switch u := u.(type) {
	case *types.Struct:
		return "struct"
	case *types.Interface:
		return "interface"
	default:
		return w.typeString(u)
	}
}

// members lists a type's exported fields (with embedded promotion left to the method
// set) and its method set, of the value and of the pointer.
func (w *walker) members(pkg, name string, t types.Type) {
	if st, ok := t.Underlying().(*types.Struct); ok {
		for i := 0; i < st.NumFields(); i++ {
			f := st.Field(i)
			if !f.Exported() {
				continue
			}
			tag := ""
			if jt := jsonTag(st.Tag(i)); jt != "" {
				tag = " `json:\"" + jt + "\"`"
			}
			if f.Embedded() {
				w.add("pkg %s, type %s struct, embedded %s%s", pkg, name, w.typeString(f.Type()), tag)
			} else {
				w.add("pkg %s, type %s struct, %s %s%s", pkg, name, f.Name(), w.typeString(f.Type()), tag)
			}
		}
	}
	if it, ok := t.Underlying().(*types.Interface); ok {
		for i := 0; i < it.NumMethods(); i++ {
			m := it.Method(i)
			if m.Exported() {
				w.add("pkg %s, type %s interface, %s%s", pkg, name, m.Name(), w.sigString(m.Type().(*types.Signature)))
			}
		}
		return
	}
	if _, isPtr := t.(*types.Pointer); isPtr {
		return
	}
	ms := types.NewMethodSet(types.NewPointer(t))
	for i := 0; i < ms.Len(); i++ {
		sel := ms.At(i)
		m := sel.Obj()
		if !m.Exported() {
			continue
		}
		recv := "*" + name
		if types.NewMethodSet(t).Lookup(m.Pkg(), m.Name()) != nil {
			recv = name
		}
		w.add("pkg %s, method (%s) %s%s", pkg, recv, m.Name(), w.sigString(sel.Type().(*types.Signature)))
	}
}

// jsonTag returns the json tag's name and options: a change of wire name is a change of
// API for a type that is marshalled.
func jsonTag(tag string) string {
	const key = `json:"`
	i := strings.Index(tag, key)
	if i < 0 {
		return ""
	}
	rest := tag[i+len(key):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return rest[:j]
}

func dedupe(lines []string) []string {
	out := lines[:0]
	for i, l := range lines {
		if i == 0 || l != lines[i-1] {
			out = append(out, l)
		}
	}
	return out
}

// Diff compares the committed listing with the current one: removed are lines of the
// listing the API no longer has (a breaking change: a removal, or a changed signature),
// added are new lines.
func Diff(committed, current []string) (removed, added []string) {
	have := map[string]bool{}
	for _, l := range current {
		have[l] = true
	}
	was := map[string]bool{}
	for _, l := range committed {
		was[l] = true
		if !have[l] {
			removed = append(removed, l)
		}
	}
	for _, l := range current {
		if !was[l] {
			added = append(added, l)
		}
	}
	return removed, added
}
