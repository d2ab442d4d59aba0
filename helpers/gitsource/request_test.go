package gitsource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sha40 = "0123456789abcdef0123456789abcdef01234567"

// valid is a request that passes Validate; each case changes one thing.
func valid() Request {
	return Request{
		Dir: "/builds/group/project", RepoURL: "https://gitlab-ci-token:" + token + "@gitlab.example.com/group/project.git",
		Ref: "main", RefType: RefBranch, SHA: sha40, Depth: 20, Strategy: StrategyFetch, Checkout: true,
		SubmoduleStrategy: SubmodulesNone, Token: token,
	}
}

func TestReadRequest(t *testing.T) {
	doc := `{"dir": "/builds/group/project", "repo_url": "https://gitlab-ci-token:` + token + `@host/group/project.git",
		"ref": "main", "sha": "` + sha40 + `", "before_sha": "` + sha40 + `", "ref_type": "branch",
		"refspecs": ["+refs/heads/main:refs/remotes/origin/main", "+refs/pipelines/123:refs/pipelines/123"],
		"depth": 20, "strategy": "clone", "checkout": false, "submodule_strategy": "recursive", "token": "` + token + `"}`

	t.Run("the documented example", func(t *testing.T) {
		req, err := ReadRequest(strings.NewReader(doc))
		require.NoError(t, err)
		require.Equal(t, Request{
			Dir: "/builds/group/project", RepoURL: "https://gitlab-ci-token:" + token + "@host/group/project.git",
			Ref: "main", SHA: sha40, BeforeSHA: sha40, RefType: RefBranch,
			RefSpecs: []string{"+refs/heads/main:refs/remotes/origin/main", "+refs/pipelines/123:refs/pipelines/123"},
			Depth:    20, Strategy: StrategyClone, Checkout: false, SubmoduleStrategy: SubmodulesRecursive, Token: token,
		}, req)
	})

	t.Run("marshal and read back", func(t *testing.T) {
		b, err := json.Marshal(valid())
		require.NoError(t, err)
		req, err := ReadRequest(bytes.NewReader(b))
		require.NoError(t, err)
		require.Equal(t, valid(), req)
	})

	t.Run("checkout defaults to true", func(t *testing.T) {
		req, err := ReadRequest(strings.NewReader(`{"dir": "/builds/p", "strategy": "none"}`))
		require.NoError(t, err)
		require.True(t, req.Checkout)
	})

	bad := []struct{ name, doc, want string }{
		{"unknown field", `{"dir": "/builds/p", "strategy": "none", "depht": 1}`, `unknown field "depht"`},
		{"two documents", `{"dir": "/builds/p", "strategy": "none"} {}`, "data after the JSON object"},
		{"not JSON", `dir=/builds/p`, "not a valid request document"},
		{"a field of the wrong type", `{"dir": "/builds/p", "strategy": "none", "depth": "20"}`, "depth"},
		{"too large", `{"dir": "` + strings.Repeat("a", MaxRequestSize) + `"}`, "larger than"},
		{"empty", ``, "not a valid request document"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadRequest(strings.NewReader(c.doc))
			var re *RequestError
			require.ErrorAs(t, err, &re)
			require.Contains(t, err.Error(), c.want)
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(r *Request)
		want string // "" when valid
	}{
		{"valid", func(r *Request) {}, ""},
		{"none needs only dir", func(r *Request) { *r = Request{Dir: "/x", Strategy: StrategyNone} }, ""},
		{"tag", func(r *Request) { r.Ref, r.RefType = "v1.0", RefTag }, ""},
		{"refspecs without ref", func(r *Request) {
			r.Ref, r.RefType, r.RefSpecs = "", "", []string{"+refs/heads/*:refs/remotes/origin/*"}
		}, ""},
		{"http", func(r *Request) { r.RepoURL = "http://host/p.git" }, ""},
		{"upper-case sha", func(r *Request) { r.SHA = strings.ToUpper(sha40) }, ""},
		{"no dir", func(r *Request) { r.Dir = "" }, "dir is required"},
		{"empty needs only dir", func(r *Request) { *r = Request{Dir: "/x", Strategy: StrategyEmpty} }, ""},
		{"no strategy", func(r *Request) { r.Strategy = "" }, `strategy is required: "clone", "fetch", "none" or "empty"`},
		{"unknown strategy", func(r *Request) { r.Strategy = "pull" }, `strategy "pull" is not`},
		{"no repo_url", func(r *Request) { r.RepoURL = "" }, "repo_url is required"},
		{"ssh repo_url", func(r *Request) { r.RepoURL = "ssh://git@host/p.git" }, "must be an http or https URL"},
		{"scp-like repo_url", func(r *Request) { r.RepoURL = "git@host:p.git" }, "repo_url"},
		{"file repo_url", func(r *Request) { r.RepoURL = "file:///etc" }, "must be an http or https URL"},
		{"repo_url without host", func(r *Request) { r.RepoURL = "https:///p.git" }, "has no host"},
		{"unparseable repo_url", func(r *Request) { r.RepoURL = "https://u:" + token + "@host/%zz" }, "repo_url is not a valid URL"},
		{"short sha", func(r *Request) { r.SHA = sha40[:8] }, "sha must be"},
		{"non-hex sha", func(r *Request) { r.SHA = strings.Repeat("g", 40) }, "sha must be"},
		{"negative depth", func(r *Request) { r.Depth = -1 }, "depth must be"},
		{"unknown submodule strategy", func(r *Request) { r.SubmoduleStrategy = "all" }, `submodule_strategy "all"`},
		{"unknown ref_type", func(r *Request) { r.RefType = "commit" }, `ref_type "commit"`},
		{"no ref nor refspecs", func(r *Request) { r.Ref = "" }, "ref is required when refspecs is empty"},
		{"no ref_type nor refspecs", func(r *Request) { r.RefType = "" }, `ref_type must be "branch" or "tag"`},
		{"ref that is no branch name", func(r *Request) { r.Ref = "a..b" }, `ref "a..b" is not a valid branch name`},
		{"refspec without dst", func(r *Request) { r.RefSpecs = []string{"refs/heads/main"} }, "refspecs[0]"},
		{"deleting refspec", func(r *Request) { r.RefSpecs = []string{":refs/heads/main"} }, "deletes a ref"},
		{"refspec to HEAD", func(r *Request) { r.RefSpecs = []string{"+refs/heads/main:HEAD"} }, "not a full ref name"},
		{"refspec by sha", func(r *Request) { r.RefSpecs = []string{sha40 + ":refs/x/y"} }, "not a full ref name"},
		{"refspec climbing", func(r *Request) { r.RefSpecs = []string{"+refs/heads/main:refs/../config"} }, "not a valid ref name"},
		{"refspec wildcards that do not match", func(r *Request) { r.RefSpecs = []string{"+refs/heads/*:refs/remotes/origin/main"} }, "wildcards"},
		{"second refspec bad", func(r *Request) { r.RefSpecs = []string{"+refs/heads/a:refs/heads/a", "+"} }, "refspecs[1]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := valid()
			c.edit(&r)
			err := r.Validate()
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			var re *RequestError
			require.ErrorAs(t, err, &re)
			require.Contains(t, err.Error(), c.want)
			require.NotContains(t, err.Error(), token)
		})
	}
}

func TestRequestPrintsNoSecret(t *testing.T) {
	r := valid()
	for _, s := range []string{fmt.Sprint(r), fmt.Sprintf("%v", r), fmt.Sprintf("%+v", r), fmt.Sprintf("%#v", r), r.String()} {
		require.NotContains(t, s, token)
		require.Contains(t, s, "https://gitlab.example.com/group/project.git")
		require.Contains(t, s, maskText)
	}
}

func TestMasker(t *testing.T) {
	r := valid()
	r.Token = "tok"
	r.RepoURL = "https://user:p%40ss:word@host/p.git" // the password is "p@ss:word"
	m := newMasker(r)
	require.Equal(t, "a [MASKED] b [MASKED] c [MASKED]", m.text("a tok b p@ss:word c p%40ss:word"))

	base := errors.New("failed with p@ss:word")
	err := m.error(fmt.Errorf("wrapped: %w", base))
	require.Equal(t, "wrapped: failed with [MASKED]", err.Error())
	require.ErrorIs(t, err, base)
	require.Same(t, base, m.error(base).(*maskedError).err)

	var out bytes.Buffer
	fmt.Fprintln(m.writer(&out), "url https://user:p%40ss:word@host")
	require.Equal(t, "url https://user:[MASKED]@host\n", out.String())

	none := newMasker(Request{RepoURL: "https://host/p.git"})
	plain := errors.New("x")
	require.Same(t, plain, none.error(plain))
}

func TestRedactURL(t *testing.T) {
	require.Equal(t, "https://host/p.git", redactURL("https://gitlab-ci-token:"+token+"@host/p.git"))
	require.Equal(t, "https://host/p.git", redactURL("https://host/p.git"))
	require.Equal(t, "<invalid URL>", redactURL("https://u:"+token+"@host/%zz"))
	require.Equal(t, "", redactURL(""))
}

func TestSubmoduleURL(t *testing.T) {
	parent := mustParse(t, "https://gitlab-ci-token:secret@host:8443/group/project.git")
	cases := []struct{ raw, want string }{
		{"../lib.git", "https://host:8443/group/lib.git"},
		{"../../other/lib.git", "https://host:8443/other/lib.git"},
		{"./sub.git", "https://host:8443/group/project.git/sub.git"},
		{"https://u:pw@example.com/x.git", "https://example.com/x.git"},
		{"http://example.com/x.git", "http://example.com/x.git"},
	}
	for _, c := range cases {
		u, err := submoduleURL(parent, c.raw)
		require.NoError(t, err, c.raw)
		require.Equal(t, c.want, u.String(), c.raw)
	}
	for _, raw := range []string{"git@host:x.git", "ssh://host/x.git", "file:///etc", "/abs/path", "lib.git"} {
		_, err := submoduleURL(parent, raw)
		require.Error(t, err, raw)
	}
}

func TestSameOrigin(t *testing.T) {
	a := mustParse(t, "https://Host.example.com/group/p.git")
	require.True(t, sameOrigin(a, mustParse(t, "https://host.example.com:443/other.git")))
	require.False(t, sameOrigin(a, mustParse(t, "http://host.example.com/other.git")), "never send an https token over http")
	require.False(t, sameOrigin(a, mustParse(t, "https://host.example.com:8443/other.git")))
	require.False(t, sameOrigin(a, mustParse(t, "https://evil.example.com/other.git")))
}
