package network

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"testing"

	"kuberunner/common"
)

// FuzzDecodeJob feeds the job payload decoder whole payloads and, when cut
// is not 0, their first cut % (len+1) bytes as a body that broke there.
// Properties: it never panics; exactly one of a job and a *PayloadError
// comes back; a job has a positive id and a token; the id and token it
// reports agree with what encoding/json reads of the payload, and those
// of a body that broke are ones the whole payload carries at its top
// level, never a nested id or a number cut short.
func FuzzDecodeJob(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte, cut uint32) {
		body, readErr := payload, error(nil)
		if cut != 0 {
			body, readErr = payload[:int(cut%uint32(len(payload)+1))], io.ErrUnexpectedEOF
		}
		job, err := decodeJob(body, readErr)
		id, token := decodedIdentity(t, job, err)
		if readErr == nil && json.Valid(body) {
			checkIdentity(t, body, id, token)
		}
		if json.Valid(payload) {
			checkTopLevel(t, payload, id, token)
		}
		if readErr != nil && job != nil {
			t.Fatalf("a job from a body that broke")
		}
	})
}

// decodedIdentity checks what decodeJob returned and says which id and
// token it found.
func decodedIdentity(t *testing.T, job *common.Job, err error) (int64, string) {
	t.Helper()
	var pe *PayloadError
	switch {
	case (job == nil) == (err == nil):
		t.Fatalf("job %v and error %v", job, err)
	case job != nil:
		if job.ID <= 0 || job.Token == "" {
			t.Fatalf("a job without id or token: %d %q", job.ID, job.Token)
		}
		if job.Timeout < 0 || job.Timeout > common.MaxJobTimeout {
			t.Fatalf("timeout %v outside 0..%v", job.Timeout, common.MaxJobTimeout)
		}
		return job.ID, job.Token
	case !errors.As(err, &pe):
		t.Fatalf("not a *PayloadError: %T %v", err, err)
	case pe.Job == nil || pe.Job.ID != pe.JobID || pe.Job.Token != pe.Token:
		t.Fatalf("PayloadError %d %q with job %+v", pe.JobID, pe.Token, pe.Job)
	case pe.Reason != common.ConfigurationFailure && pe.Reason != common.RunnerSystemFailure:
		t.Fatalf("reason %q", pe.Reason)
	}
	return pe.JobID, pe.Token
}

// identity is the payload's top-level id and token as encoding/json reads
// them into a job.
type identity struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
}

// checkIdentity: a whole payload's id and token are encoding/json's.
func checkIdentity(t *testing.T, body []byte, id int64, token string) {
	t.Helper()
	var want identity
	_ = json.Unmarshal(body, &want)
	if id != want.ID || token != want.Token {
		t.Fatalf("read %d %q, encoding/json reads %d %q", id, token, want.ID, want.Token)
	}
}

// checkTopLevel: an id or token read from any part of payload is one that
// a top-level key of the whole payload gives, as encoding/json matches
// keys.
func checkTopLevel(t *testing.T, payload []byte, id int64, token string) {
	t.Helper()
	ids, tokens := topLevel(payload)
	if id != 0 && !slices.Contains(ids, id) || token != "" && !slices.Contains(tokens, token) {
		t.Fatalf("read %d %q; the payload's top level gives ids %v, tokens %q", id, token, ids, tokens)
	}
}

// topLevel is every id and token the top-level keys of a valid payload
// give: each key and value, alone in an object, decoded by encoding/json.
func topLevel(payload []byte) (ids []int64, tokens []string) {
	var pairs map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil
	}
	for dec.More() {
		key, _ := dec.Token()
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			break
		}
		pairs = map[string]json.RawMessage{key.(string): raw}
		one, _ := json.Marshal(pairs)
		var got identity
		_ = json.Unmarshal(one, &got)
		ids, tokens = append(ids, got.ID), append(tokens, got.Token)
	}
	return ids, tokens
}
