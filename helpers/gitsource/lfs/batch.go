package lfs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// BatchSize is how many objects one batch request names, as git-lfs sends.
const BatchSize = 100

// maxBatchAnswer bounds a batch answer: 100 objects with their actions
// take a few tens of KiB.
const maxBatchAnswer = 16 << 20

type batchRequest struct {
	Operation string        `json:"operation"`
	Transfers []string      `json:"transfers"`
	Ref       *batchRef     `json:"ref,omitempty"`
	Objects   []batchObject `json:"objects"`
}

type batchRef struct {
	Name string `json:"name"`
}

type batchObject struct {
	OID  string `json:"oid"`
	Size int64  `json:"size"`
}

type batchAnswer struct {
	Transfer string   `json:"transfer"`
	HashAlgo string   `json:"hash_algo"`
	Objects  []Object `json:"objects"`
}

// Object is the server's answer for one object.
type Object struct {
	OID  string `json:"oid"`
	Size int64  `json:"size"`
	// Authenticated says the download needs no credentials beyond the
	// action's headers.
	Authenticated bool `json:"authenticated"`
	Actions       struct {
		Download *Action `json:"download"`
	} `json:"actions"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Action is where and how to download an object.
type Action struct {
	Href   string            `json:"href"`
	Header map[string]string `json:"header"`
}

// Batch asks the server how to download ptrs (at most BatchSize), for the
// ref the job runs on ("" to leave it out: the ref is optional). It
// returns the answer for each pointer by oid; an object the server cannot
// give is an *ObjectError.
func (c *Client) Batch(ctx context.Context, ref string, ptrs []Pointer) (map[string]Object, error) {
	body, err := json.Marshal(batchBody(ref, ptrs))
	if err != nil {
		return nil, err
	}
	u := c.Endpoint.JoinPath("objects", "batch")
	req, err := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", mediaType)
	req.Header.Set("Content-Type", mediaType)
	if c.Authorize != nil {
		c.Authorize(req)
	}
	var answer batchAnswer
	err = c.do(ctx, "batch", req, func(r io.Reader) error {
		if err := json.NewDecoder(io.LimitReader(r, maxBatchAnswer)).Decode(&answer); err != nil {
			return fmt.Errorf("reading the batch answer of %s: %w", printable(u), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return answer.byOID(ptrs)
}

func batchBody(ref string, ptrs []Pointer) batchRequest {
	b := batchRequest{Operation: "download", Transfers: []string{"basic"}, Objects: make([]batchObject, len(ptrs))}
	if ref != "" {
		b.Ref = &batchRef{Name: ref}
	}
	for i, p := range ptrs {
		b.Objects[i] = batchObject(p)
	}
	return b
}

// byOID checks the answer and indexes it: the basic transfer, sha256, and
// a download action for every pointer asked for.
func (a batchAnswer) byOID(ptrs []Pointer) (map[string]Object, error) {
	if a.Transfer != "" && a.Transfer != "basic" {
		return nil, fmt.Errorf("LFS batch: the server chose transfer %q; the helper speaks only \"basic\"", a.Transfer)
	}
	if a.HashAlgo != "" && a.HashAlgo != "sha256" {
		return nil, fmt.Errorf("LFS batch: the server uses hash %q; the helper knows only sha256", a.HashAlgo)
	}
	out := make(map[string]Object, len(a.Objects))
	for _, o := range a.Objects {
		out[o.OID] = o
	}
	for _, p := range ptrs {
		o, ok := out[p.OID]
		switch {
		case !ok:
			return nil, &ObjectError{OID: p.OID, Message: "the server's batch answer does not list it"}
		case o.Error != nil:
			return nil, &ObjectError{OID: p.OID, Code: o.Error.Code, Message: oneLine(o.Error.Message)}
		case o.Actions.Download == nil:
			return nil, &ObjectError{OID: p.OID, Message: "the server's batch answer has no download action for it"}
		}
	}
	return out, nil
}
