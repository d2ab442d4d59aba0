package commands

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/network"
	"kuberunner/test/coordinator"
)

// The tokens of the runners the fixture writes; no output may show one.
const (
	tokenA = "glrt-aaaaaaaaa-first-runner-secret"
	tokenB = "glrt-bbbbbbbbb-second-runner-secret"
	tokenC = "glrt-ccccccccc-third-runner-secret"
	tokenD = "glrt-ddddddddd-unreachable-secret"
)

// runnersFixture is a config.toml of runners a, b and c at a coordinator
// that knows their tokens, and d at an address where nothing listens,
// each introduced by a comment, between global settings and a trailing
// table that must all survive an edit.
type runnersFixture struct {
	coord *coordinator.Server
	path  string
	// blocks is each runner's text by name, to build expected files.
	blocks map[string]string
	head   string
	tail   string
}

func newRunnersFixture(t *testing.T, names ...string) *runnersFixture {
	t.Helper()
	f := &runnersFixture{coord: coordinator.New(t, tokenA, tokenB, tokenC), blocks: map[string]string{},
		head: "# kept: the global settings\nconcurrent = 2\ncheck_interval = 3\n\n",
		tail: "# kept: a table after the runners\n[session_server]\n  session_timeout = 1800\n"}
	urls := map[string]string{"a": f.coord.URL, "b": withTestUserinfo(f.coord.URL), "c": f.coord.URL + "/", "d": deadURL(t)}
	tokens := map[string]string{"a": tokenA, "b": tokenB, "c": tokenC, "d": tokenD}
	text := f.head
	for _, n := range names {
		f.blocks[n] = fmt.Sprintf("# runner %s\n[[runners]]\n  name = %q\n  url = %q\n  token = %q\n  executor = \"kubernetes\"\n  [runners.kubernetes]\n    namespace = \"ns-%s\"\n\n",
			n, n, urls[n], tokens[n], n)
		text += f.blocks[n]
	}
	f.path = filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(f.path, []byte(text+f.tail), 0o600))
	return f
}

// want is the file's text with only the runners named.
func (f *runnersFixture) want(names ...string) string {
	text := f.head
	for _, n := range names {
		text += f.blocks[n]
	}
	return text + f.tail
}

// text is the file as it is now.
func (f *runnersFixture) text(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(f.path)
	require.NoError(t, err)
	return string(data)
}

// deadURL is an http URL where nothing listens: a GitLab that cannot be
// reached.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

// oneTry makes the commands' calls to GitLab give up after one try, so
// that an unreachable GitLab fails at once rather than after backoff.
func oneTry(t *testing.T) {
	old := gitlabRetry
	gitlabRetry = network.RetryPolicy{MaxAttempts: 1}
	t.Cleanup(func() { gitlabRetry = old })
}

// clearCLIEnv empties every variable the runner-management commands
// read, so that the machine's environment cannot decide a case.
func clearCLIEnv(t *testing.T) {
	for _, v := range []string{"CONFIG_FILE", config.EnvVar, "CI_SERVER_URL", "CI_SERVER_TOKEN", "RUNNER_NAME"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

// runMain runs kuberunner with args and the environment env, and checks
// that no output shows a token or the userinfo of a URL.
func runMain(t *testing.T, args []string, env map[string]string) (code int, stdout, stderr string) {
	t.Helper()
	clearCLIEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	code = Main(args, &out, &errOut)
	all := out.String() + errOut.String()
	for _, secret := range []string{tokenA, tokenB, tokenC, tokenD, testURLUser, testURLPassword} {
		assert.NotContains(t, all, secret)
		// The random part too, in case a prefix was cut.
		assert.NotContains(t, all, strings.TrimPrefix(secret, "glrt-"))
	}
	return code, out.String(), errOut.String()
}

// deletes are the tokens DELETE /api/v4/runners was sent, in order.
func deletes(t *testing.T, coord *coordinator.Server) []string {
	t.Helper()
	var tokens []string
	for _, r := range coord.RequestsTo(coordinator.PathRunners) {
		assert.Equal(t, "DELETE", r.Method)
		tokens = append(tokens, tokenOfBody(t, r.Body))
	}
	return tokens
}

func tokenOfBody(t *testing.T, body []byte) string {
	t.Helper()
	var b struct {
		Token string `json:"token"`
	}
	require.NoError(t, json.Unmarshal(body, &b))
	return b.Token
}
