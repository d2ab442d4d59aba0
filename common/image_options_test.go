package common

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestImageExecutorOptionsJSON(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    ImageExecutorOptions
		wantErr string
	}{
		{name: "kubernetes uid:gid string", payload: `{"kubernetes": {"user": "1000:1000"}}`, want: ImageExecutorOptions{Kubernetes: ImageUserOptions{User: "1000:1000"}}},
		{name: "kubernetes integer", payload: `{"kubernetes": {"user": 1234}}`, want: ImageExecutorOptions{Kubernetes: ImageUserOptions{User: "1234"}}},
		{name: "docker name", payload: `{"docker": {"user": "ubuntu", "platform": "amd64"}}`, want: ImageExecutorOptions{Docker: ImageUserOptions{User: "ubuntu"}}},
		{name: "null user", payload: `{"docker": {"user": null}}`},
		{name: "fraction", payload: `{"kubernetes": {"user": 1.5}}`, wantErr: "not a number with a fraction"},
		{name: "object", payload: `{"kubernetes": {"user": {"uid": 1}}}`, wantErr: "executor_opts user: want a string"},
		{name: "bool", payload: `{"kubernetes": {"user": true}}`, wantErr: "not true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got ImageExecutorOptions
			err := json.Unmarshal([]byte(tt.payload), &got)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestImageJSONRoundTrip(t *testing.T) {
	in := Image{Name: "postgres:16", Variables: JobVariables{{Key: "POSTGRES_DB", Value: "app"}},
		ExecutorOptions: ImageExecutorOptions{Kubernetes: ImageUserOptions{User: "999"}}}
	data, err := json.Marshal(in)
	require.NoError(t, err)
	require.JSONEq(t, `{"name": "postgres:16", "variables": [{"key": "POSTGRES_DB", "value": "app", "public": false, "file": false, "masked": false, "raw": false}],
		"executor_opts": {"kubernetes": {"user": "999"}}}`, string(data))
	var out Image
	require.NoError(t, json.Unmarshal(data, &out))
	require.Equal(t, in, out)

	plain, err := json.Marshal(Image{Name: "alpine"})
	require.NoError(t, err)
	require.JSONEq(t, `{"name": "alpine"}`, string(plain), "no executor_opts when none is set")
}
