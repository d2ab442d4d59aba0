package common

import "strings"

// ShortToken is GitLab's short form of a runner token, which names the
// runner in logs and the UI: the job's CI_RUNNER_SHORT_TOKEN and the
// `runner` label of the gitlab_runner_* metrics. It is the first 8 characters
// of a legacy token; of a token that starts with a type prefix (glrt-,
// glrtr-, glcbt-) or with cell routing (cell_N_), the 9 characters after
// them. It is never the whole token: a token too short to keep the rest
// secret gives "".
func ShortToken(token string) string {
	rest, prefixed := stripTokenPrefix(token)
	n := 8
	if prefixed {
		n = 9
	}
	if len(rest) < n || len(token)-n < 8 {
		return ""
	}
	return rest[:n]
}

// stripTokenPrefix takes off the type prefix and the cell routing GitLab
// puts in front of the random part of a token.
func stripTokenPrefix(token string) (string, bool) {
	rest, prefixed := token, false
	for _, p := range []string{"glrt-", "glrtr-", "glcbt-"} {
		if r, ok := strings.CutPrefix(rest, p); ok {
			rest, prefixed = r, true
			break
		}
	}
	if r, ok := cutCellRouting(rest); ok {
		rest, prefixed = r, true
	}
	return rest, prefixed
}

// cutCellRouting takes "cell_<digits>_" off the front of s.
func cutCellRouting(s string) (string, bool) {
	r, ok := strings.CutPrefix(s, "cell_")
	if !ok {
		return s, false
	}
	i := 0
	for i < len(r) && '0' <= r[i] && r[i] <= '9' {
		i++
	}
	if i == 0 || i == len(r) || r[i] != '_' {
		return s, false
	}
	return r[i+1:], true
}
