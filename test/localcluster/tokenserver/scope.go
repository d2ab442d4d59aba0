package tokenserver

import (
	"fmt"
	"strings"
)

// Access is one grant in a token's access claim, in distribution's shape.
type Access struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// ParseScopes reads the scopes a client asked for. A GET repeats the scope
// parameter; an OAuth2 POST puts several in one, separated by spaces. Each
// is type:name:actions, with actions separated by commas; the name is
// what lies between the first and the last colon.
func ParseScopes(values []string) ([]Access, error) {
	var out []Access
	for _, v := range values {
		for _, s := range strings.Fields(v) {
			first, last := strings.Index(s, ":"), strings.LastIndex(s, ":")
			if first <= 0 || last == first || last == len(s)-1 {
				return nil, fmt.Errorf("scope %q: want type:name:actions", s)
			}
			out = append(out, Access{Type: s[:first], Name: s[first+1 : last], Actions: strings.Split(s[last+1:], ",")})
		}
	}
	return out, nil
}

// grant is what an authenticated user gets: every action asked for on
// repositories, nothing else (no catalog). An anonymous client gets nothing.
func grant(asked []Access, authenticated bool) []Access {
	var out []Access
	for _, a := range asked {
		if authenticated && a.Type == "repository" {
			out = append(out, a)
		}
	}
	return out
}
