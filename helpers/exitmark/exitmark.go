// Package exitmark lets a command's exit status travel in its own stderr,
// so that the runner can tell a command that ended from a stream that was
// cut. Kubernetes' SPDY exec protocol cannot: when the connection drops,
// client-go reads an empty status stream and reports success, and a job
// whose script was still running would pass. The WebSocket protocol does
// report the cut, but a proxy that refuses WebSocket upgrades, or an API
// server older than 1.30, puts a runner on SPDY.
//
// The command's side writes one line at exit (Line, or the sh wrapper of
// Shell); the runner's side (Filter) takes it out of the stream before the
// build log sees it. The line carries a nonce chosen per command, so no
// output of the job can forge it.
package exitmark

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
)

// word starts the marker with an ASCII record separator, which no text a
// person writes contains. The marker needs no line of its own: the filter
// finds it anywhere, so it follows output that lacks a final newline
// unchanged, and a line's newline is never held back waiting to see
// whether a marker follows.
const word = "\x1ekuberunner-exit "

// NewNonce returns a fresh random nonce for one command.
func NewNonce() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails on Linux (crypto/rand's contract since Go 1.24)
	return hex.EncodeToString(b)
}

// Line is the marker reporting code for the command given nonce.
func Line(nonce string, code int) string {
	return word + nonce + " " + strconv.Itoa(code) + "\n"
}

// Shell wraps cmd, for a container that has sh, so that sh writes the
// marker on stderr after cmd exits and then exits with cmd's status. cmd
// keeps stdin, stdout and stderr; any trap or exit in a script it runs is
// its own, since the marker comes from the enclosing sh.
func Shell(nonce string, cmd []string) []string {
	format := strings.NewReplacer("\x1e", `\036`).Replace(word) + nonce + ` %d\n`
	script := `"$@"; s=$?; printf '` + format + `' "$s" >&2; exit "$s"`
	return append([]string{"sh", "-c", script, "sh"}, cmd...)
}
