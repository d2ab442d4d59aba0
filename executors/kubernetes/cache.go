package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"kuberunner/common"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/helpers/cachearchive"
)

// restoreCache runs `helper cache-extract` for the entries that pull,
// with GET URLs signed just now. A failure is a warning: only the job's
// own end (cancel, timeout) stops the job here.
func (e *Executor) restoreCache(ctx context.Context) error {
	p := e.cache
	if p == nil || len(p.entries) == 0 {
		return nil
	}
	log := e.opts.Log
	log.SectionStart("restore_cache", "Restoring cache")
	defer log.SectionEnd("restore_cache")
	req := p.request(e.projectDir)
	for _, entry := range p.entries {
		if !entry.Pull {
			log.Println(fmt.Sprintf("Not downloading cache %s due to policy", entry.Key))
			continue
		}
		c := cachearchive.Cache{Key: entry.Key, Paths: entry.Paths, Untracked: entry.Untracked}
		for _, key := range entry.Sources {
			if u, ok := p.sign(ctx, log, p.signer.GetURL, key); ok {
				c.Sources = append(c.Sources, cachearchive.Source{Key: key, URL: u})
			}
		}
		if len(c.Sources) > 0 {
			req.Caches = append(req.Caches, c)
		}
	}
	return e.runCacheHelper(ctx, "cache-extract", req, "Failed to restore the cache")
}

// archiveCache runs `helper cache-archive` for the entries that push and
// whose `when` matches the script's result, with PUT URLs signed just
// now. A cancelled job, or one whose pod failed, saves nothing.
func (e *Executor) archiveCache(ctx context.Context, result error) error {
	p := e.cache
	if p == nil || len(p.entries) == 0 || ctx.Err() != nil || !cacheable(result) {
		return nil
	}
	failed := result != nil
	log := e.opts.Log
	section := "archive_cache"
	if failed {
		section = "archive_cache_on_failure"
	}
	log.SectionStart(section, "Saving cache")
	defer log.SectionEnd(section)
	req := p.request(e.projectDir)
	for _, entry := range p.entries {
		switch {
		case !entry.Push:
			log.Println(fmt.Sprintf("Not uploading cache %s due to policy", entry.Key))
			continue
		case !entry.Saves(failed):
			log.Println(fmt.Sprintf("Not uploading cache %s due to when: %s", entry.Key, entry.When))
			continue
		}
		if u, ok := p.sign(ctx, log, p.signer.PutURL, entry.Key); ok {
			req.Caches = append(req.Caches, cachearchive.Cache{Key: entry.Key, Paths: entry.Paths, Untracked: entry.Untracked,
				Upload: &cachearchive.Upload{URL: u, MaxSize: p.maxSize, Headers: p.uploadHeaders()}})
		}
	}
	return e.runCacheHelper(ctx, "cache-archive", req, "Failed to save the cache")
}

// cacheable is GitLab Runner's rule: the cache is saved after the script
// succeeded or failed, not after a cancel or a failure of the runner.
func cacheable(result error) bool {
	if result == nil {
		return true
	}
	var be *common.BuildError
	return errors.As(result, &be) && be.FailureReason == common.ScriptFailure && !errors.Is(result, executors.ErrCanceled)
}

// uploadHeaders are the signer's upload headers, one value each.
func (p *cachePlan) uploadHeaders() map[string]string {
	out := map[string]string{}
	for k, v := range p.signer.UploadHeaders() {
		out[k] = v[0]
	}
	return out
}

// request is the helper's request without caches.
func (p *cachePlan) request(dir string) cachearchive.Request {
	return cachearchive.Request{Dir: dir, StateDir: podspec.CacheStateDir, TimeoutSeconds: p.timeout, Compression: p.compression}
}

// sign signs one object of key; a failure is a warning naming the key,
// never the credentials (minio-go's errors do not carry them).
func (p *cachePlan) sign(ctx context.Context, log executors.BuildLog, sign func(context.Context, string) (*url.URL, error), key string) (string, bool) {
	u, err := sign(ctx, p.namer.Object(key))
	if err != nil {
		log.Warningln(fmt.Sprintf("Cache %s: the URL could not be signed: %v", key, err))
		return "", false
	}
	return u.String(), true
}

// runCacheHelper sends req to the helper container; its lines go to the
// build log, a WARNING line as a warning. A failed exec is a warning
// unless the job itself is over.
func (e *Executor) runCacheHelper(ctx context.Context, cmd string, req cachearchive.Request, what string) error {
	if len(req.Caches) == 0 {
		return nil
	}
	body, err := json.Marshal(req)
	if err != nil {
		e.opts.Log.Warningln(fmt.Sprintf("%s: %v", what, err))
		return nil
	}
	stdout := &logLines{log: e.opts.Log}
	stderr := e.opts.Log.Stream()
	err = execInPod(ctx, e.api, execRequest{
		Namespace: e.pod.Namespace, Pod: e.pod.Name, Container: podspec.HelperContainer,
		Command: []string{cmd}, Stdin: bytes.NewReader(body), Stdout: stdout, Stderr: stderr,
		Mark: podspec.HelperCommand,
	})
	stdout.flush()
	closeStream(stderr)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e.opts.Log.Warningln(fmt.Sprintf("%s: %v", what, err))
	}
	return nil
}

// logLines writes the helper's lines to the build log, each line whole:
// a line that starts with cachearchive.WarningPrefix as a warning.
type logLines struct {
	log     executors.BuildLog
	pending []byte
}

func (l *logLines) Write(p []byte) (int, error) {
	l.pending = append(l.pending, p...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.line(string(l.pending[:i]))
		l.pending = l.pending[i+1:]
	}
}

func (l *logLines) flush() {
	if len(l.pending) > 0 {
		l.line(string(l.pending))
		l.pending = nil
	}
}

func (l *logLines) line(s string) {
	if w, ok := strings.CutPrefix(s, cachearchive.WarningPrefix); ok {
		l.log.Warningln(w)
		return
	}
	l.log.Println(s)
}
