package tokenserver

import (
	"reflect"
	"testing"
)

func TestParseScopes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		want   []Access
		err    bool
	}{
		{"none", nil, nil, false},
		{"one pull", []string{"repository:busybox:pull"}, []Access{{"repository", "busybox", []string{"pull"}}}, false},
		{"pull and push, nested name", []string{"repository:group/app/img:pull,push"},
			[]Access{{"repository", "group/app/img", []string{"pull", "push"}}}, false},
		{"OAuth2 form: several in one value", []string{"repository:a:pull repository:b:pull,push"},
			[]Access{{"repository", "a", []string{"pull"}}, {"repository", "b", []string{"pull", "push"}}}, false},
		{"repeated parameter", []string{"repository:a:pull", "registry:catalog:*"},
			[]Access{{"repository", "a", []string{"pull"}}, {"registry", "catalog", []string{"*"}}}, false},
		{"no actions", []string{"repository:a:"}, nil, true},
		{"no name", []string{"repository:pull"}, nil, true},
		{"no type", []string{":a:pull"}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseScopes(tc.values)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestGrant(t *testing.T) {
	asked := []Access{{"repository", "a", []string{"pull", "push"}}, {"registry", "catalog", []string{"*"}}}
	if got := grant(asked, false); len(got) != 0 {
		t.Errorf("anonymous got %+v", got)
	}
	if got := grant(asked, true); !reflect.DeepEqual(got, asked[:1]) {
		t.Errorf("authenticated got %+v, want the repository scope only", got)
	}
}
