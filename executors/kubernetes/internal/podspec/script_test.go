package podspec

import (
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

func TestStepScript(t *testing.T) {
	step := common.Step{Name: common.StepScript, Script: []string{"echo 'it''s' Done", "if true; then\n  echo multi\nfi"}}
	got := StepScript(step, common.JobVariables{{Key: "KUBECONFIG_FILE", Value: "x", File: true}})
	want := `set -e
if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi
` + archExport + `mkdir -p "$CI_BUILDS_DIR/.variables"
printf '%s' "$KUBECONFIG_FILE" > "$CI_BUILDS_DIR/.variables/KUBECONFIG_FILE"
export KUBECONFIG_FILE="$CI_BUILDS_DIR/.variables/KUBECONFIG_FILE"
mkdir -p "$CI_PROJECT_DIR"
cd "$CI_PROJECT_DIR"
printf '\033[32;1m$ %s\033[0;m\n' 'echo '\''it'\'''\''s'\'' Done'
echo 'it''s' Done
printf '\033[32;1m$ %s\033[0;m\n' 'if true; then # collapsed multi-line command'
if true; then
  echo multi
fi
`
	require.Equal(t, want, got)
}
