package helm

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// values.yaml owns the chart's keys; values.schema.json types each of them
// and no other, so the two cannot drift apart.
func TestSchemaTypesEveryValue(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(ChartDir(), "values.yaml"))
	require.NoError(t, err)
	var values map[string]any
	require.NoError(t, yaml.Unmarshal(data, &values))
	data, err = os.ReadFile(filepath.Join(ChartDir(), "values.schema.json"))
	require.NoError(t, err)
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(data, &schema))
	assert.Equal(t, slices.Sorted(maps.Keys(values)), slices.Sorted(maps.Keys(schema.Properties)))
}
