package artifacts

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadUpload(t *testing.T) {
	const ok = `"url":"https://gitlab.example","job_id":7,"token":"tok","dir":"/builds/p","artifact_type":"archive"`
	tests := []struct {
		name  string
		doc   string
		field string // "" for a valid request; "-" for a document error
	}{
		{"zip", `{` + ok + `,"artifact_format":"zip","paths":["dist/"]}`, ""},
		{"unknown field", `{` + ok + `,"artifact_format":"zip","pathz":[]}`, "-"},
		{"trailing data", `{` + ok + `,"artifact_format":"zip"} {}`, "-"},
		{"bad format", `{` + ok + `,"artifact_format":"tar"}`, "artifact_format"},
		{"bad compression", `{` + ok + `,"artifact_format":"zip","compression":"max"}`, "compression"},
		{"no type", `{"url":"https://g","job_id":7,"token":"t","dir":"/b/p","artifact_format":"zip"}`, "artifact_type"},
		{"ssh url", `{"url":"ssh://g","job_id":7,"token":"t","dir":"/b/p","artifact_type":"archive","artifact_format":"zip"}`, "url"},
		{"no job", `{"url":"https://g","token":"t","dir":"/b/p","artifact_type":"archive","artifact_format":"zip"}`, "job_id"},
		{"no token", `{"url":"https://g","job_id":7,"dir":"/b/p","artifact_type":"archive","artifact_format":"zip"}`, "token"},
		{"relative dir", `{"url":"https://g","job_id":7,"token":"t","dir":"b/p","artifact_type":"archive","artifact_format":"zip"}`, "dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadUpload(strings.NewReader(tt.doc))
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var re *RequestError
			require.ErrorAs(t, err, &re)
			if tt.field != "-" {
				require.Equal(t, tt.field, re.Field)
			}
			require.NotContains(t, err.Error(), "tok\"")
		})
	}
}

func TestReadDownload(t *testing.T) {
	req, err := ReadDownload(strings.NewReader(`{"url":"http://127.0.0.1:8080","job_id":5,"token":"t","name":"build","dir":"/builds/p"}`))
	require.NoError(t, err)
	require.Equal(t, int64(5), req.JobID)
	_, err = ReadDownload(strings.NewReader(`{"url":"http://127.0.0.1:8080","job_id":5,"token":"t","dir":"/"}`))
	var re *RequestError
	require.ErrorAs(t, err, &re)
	require.Equal(t, "dir", re.Field)
}
