package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every numeric key is bounded: a value that passed config check used to
// wrap a duration (check_interval = 9223372037 became a negative ticker
// period) or start one goroutine per unit (request_concurrency = 50000000).
// Each row is a whole file; want is the one error, "" when it loads.
func TestNumericKeyRanges(t *testing.T) {
	const runner = "[[runners]]\n"
	const kube = runner + "[runners.kubernetes]\n"
	tests := []struct {
		name, src, want string
	}{
		{"check_interval at its maximum", "check_interval = 3600\n", ""},
		{"check_interval that wraps a duration", "check_interval = 9223372037\n",
			"config.toml:1: check_interval: 9223372037 is out of range; allowed: 0 to 3600 seconds (0 means 3)"},
		{"check_interval just over", "\ncheck_interval = 3601\n",
			"config.toml:2: check_interval: 3601 is out of range; allowed: 0 to 3600 seconds (0 means 3)"},
		{"check_interval negative", "check_interval = -1\n",
			"config.toml:1: check_interval: -1 is out of range; allowed: 0 to 3600 seconds (0 means 3)"},
		{"concurrent at its maximum", "concurrent = 1000\n", ""},
		{"concurrent too many", "concurrent = 1001\n",
			"config.toml:1: concurrent: 1001 is out of range; allowed: 0 to 1000 jobs (0 means 1)"},
		{"concurrent negative", "concurrent = -1\n",
			"config.toml:1: concurrent: -1 is out of range; allowed: 0 to 1000 jobs (0 means 1)"},
		{"limit too many", runner + "limit = 5000\n",
			"config.toml:2: runners[0].limit: 5000 is out of range; allowed: 0 to 1000 jobs (0 means no limit)"},
		{"request_concurrency at its maximum", runner + "request_concurrency = 100\n", ""},
		{"request_concurrency that ran out of memory", runner + "request_concurrency = 50000000\n",
			"config.toml:2: runners[0].request_concurrency: 50000000 is out of range; allowed: 0 to 100 requests (0 means 1)"},
		{"request_concurrency in an inline table", "runners = [{request_concurrency = 101}]\n",
			"config.toml:1: runners[0].request_concurrency: 101 is out of range; allowed: 0 to 100 requests (0 means 1)"},
		{"output_limit at its maximum", runner + "output_limit = 102400\n", ""},
		{"output_limit too large", runner + "output_limit = 9007199254740993\n",
			"config.toml:2: runners[0].output_limit: 9007199254740993 is out of range; allowed: 0 to 102400 KiB (0 means 4096)"},
		{"poll_timeout at its maximum", kube + "poll_timeout = 86400\n", ""},
		{"poll_timeout that wraps a duration", kube + "poll_timeout = 9223372037\n",
			"config.toml:3: runners[0].kubernetes.poll_timeout: 9223372037 is out of range; allowed: 0 to 86400 seconds (0 means 180)"},
		{"pull_retry_budget keeps its range", kube + "pull_retry_budget = 6\n",
			"config.toml:3: runners[0].kubernetes.pull_retry_budget: 6 is out of range; allowed: 0 to 5 retries (0: fall back at once; unset means 2)"},
		{"the largest user ID", kube + "[runners.kubernetes.pod_security_context]\nrun_as_user = 2147483647\n", ""},
		{"run_as_user over what Kubernetes accepts", kube + "[runners.kubernetes.pod_security_context]\nrun_as_user = 2147483648\n",
			"config.toml:4: runners[0].kubernetes.pod_security_context.run_as_user: 2147483648 is out of range; allowed: 0 to 2147483647"},
		{"negative run_as_group", kube + "[runners.kubernetes.pod_security_context]\nrun_as_group = -1\n",
			"config.toml:4: runners[0].kubernetes.pod_security_context.run_as_group: -1 is out of range; allowed: 0 to 2147483647"},
		{"negative fs_group", kube + "[runners.kubernetes.pod_security_context]\nfs_group = -5\n",
			"config.toml:4: runners[0].kubernetes.pod_security_context.fs_group: -5 is out of range; allowed: 0 to 2147483647"},
		{"one bad supplemental group, at its index", kube + "[runners.kubernetes.pod_security_context]\nsupplemental_groups = [1, -2]\n",
			"config.toml:4: runners[0].kubernetes.pod_security_context.supplemental_groups[1]: -2 is out of range; allowed: 0 to 2147483647"},
		{"build container user", kube + "[runners.kubernetes.build_container_security_context]\nrun_as_user = -1\n",
			"config.toml:4: runners[0].kubernetes.build_container_security_context.run_as_user: -1 is out of range; allowed: 0 to 2147483647"},
		{"helper container group", kube + "[runners.kubernetes.helper_container_security_context]\nrun_as_group = 4294967296\n",
			"config.toml:4: runners[0].kubernetes.helper_container_security_context.run_as_group: 4294967296 is out of range; allowed: 0 to 2147483647"},
		{"service container user", kube + "[runners.kubernetes.service_container_security_context]\nrun_as_user = -1\n",
			"config.toml:4: runners[0].kubernetes.service_container_security_context.run_as_user: -1 is out of range; allowed: 0 to 2147483647"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("config.toml", []byte(tt.src))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			errs := configErrors(t, err)
			require.Len(t, errs, 1, err.Error())
			assert.EqualError(t, errs[0], tt.want)
		})
	}
}

// intKeys lists the key pattern of every integer field under t, the way
// keyPath.pattern spells it: one per field, whatever the array indexes.
func intKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			keys = append(keys, intKeys(f.Type, prefix)...)
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		key := strings.TrimPrefix(prefix+"."+name, ".")
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			keys = append(keys, key)
		case reflect.Struct:
			keys = append(keys, intKeys(ft, key)...)
		}
	}
	return keys
}

// The table is complete and has no stale rows: a new integer field of
// Config cannot be added without a range.
func TestEveryIntegerKeyHasARange(t *testing.T) {
	var inTable []string
	for _, r := range numericRanges {
		inTable = append(inTable, r.keys...)
	}
	fields := intKeys(reflect.TypeFor[Config](), "")
	assert.ElementsMatch(t, fields, inTable)
	assert.Contains(t, fields, "runners.kubernetes.pod_security_context.supplemental_groups", "the walk reaches arrays")
}

// docs/configuration.md shows the table exactly as numericRanges renders
// it, row for row, so the documented ranges are the enforced ones.
func TestDocsListTheRanges(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	require.NoError(t, err)
	_, section, found := strings.Cut(string(data), "\n## Ranges of numbers\n")
	require.True(t, found, `docs/configuration.md has no "## Ranges of numbers" section`)
	section, _, _ = strings.Cut(section, "\n## ")
	var got []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			got = append(got, line)
		}
	}
	var want []string
	for _, r := range numericRanges {
		want = append(want, r.docRow())
	}
	assert.Equal(t, want, got, "the rows of the table in docs/configuration.md, as the code has them:\n%s", strings.Join(want, "\n"))
}
