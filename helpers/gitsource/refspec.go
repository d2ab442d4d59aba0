package gitsource

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
)

// refSpecs is what the fetch asks for: Request.RefSpecs as given, or the
// one refspec of Ref by RefType. Each is checked: a force or plain
// src:dst pair whose sides are full ref names ("refs/...", with at most
// one matching wildcard each), never a deletion.
func (r Request) refSpecs() ([]config.RefSpec, error) {
	if len(r.RefSpecs) == 0 {
		return r.defaultRefSpecs()
	}
	specs := make([]config.RefSpec, 0, len(r.RefSpecs))
	for i, s := range r.RefSpecs {
		spec := config.RefSpec(s)
		if err := checkRefSpec(spec); err != nil {
			return nil, &RequestError{Field: fmt.Sprintf("refspecs[%d]", i), Problem: fmt.Sprintf("%q %v", s, err)}
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// defaultRefSpecs fetch the ref alone, where git would keep it.
func (r Request) defaultRefSpecs() ([]config.RefSpec, error) {
	if r.Ref == "" {
		return nil, &RequestError{Field: "ref", Problem: "is required when refspecs is empty"}
	}
	var src, dst string
	switch r.RefType {
	case RefBranch:
		src, dst = "refs/heads/"+r.Ref, "refs/remotes/origin/"+r.Ref
	case RefTag:
		src, dst = "refs/tags/"+r.Ref, "refs/tags/"+r.Ref
	default:
		return nil, &RequestError{Field: "ref_type", Problem: `must be "branch" or "tag" when refspecs is empty`}
	}
	if err := plumbing.ReferenceName(src).Validate(); err != nil {
		return nil, &RequestError{Field: "ref", Problem: fmt.Sprintf("%q is not a valid %s name", r.Ref, r.RefType)}
	}
	return []config.RefSpec{config.RefSpec("+" + src + ":" + dst)}, nil
}

func checkRefSpec(spec config.RefSpec) error {
	if spec == "" || spec == "+" {
		return fmt.Errorf("is empty")
	}
	if err := spec.Validate(); err != nil {
		return err
	}
	if spec.IsDelete() {
		return fmt.Errorf("deletes a ref; a fetch refspec needs a source")
	}
	dst := string(spec)[strings.Index(string(spec), ":")+1:]
	for _, side := range []string{spec.Src(), dst} {
		if !strings.HasPrefix(side, "refs/") {
			return fmt.Errorf("side %q is not a full ref name (refs/...)", side)
		}
		// A wildcard stands for one or more path parts; check a name it
		// could stand for.
		if err := plumbing.ReferenceName(strings.Replace(side, "*", "x", 1)).Validate(); err != nil {
			return fmt.Errorf("side %q is not a valid ref name", side)
		}
	}
	return nil
}
