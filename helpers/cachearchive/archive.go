package cachearchive

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"kuberunner/helpers/artifacts"
	"kuberunner/helpers/pathglob"
)

// ErrTooLarge is an archive larger than the request's MaxSize.
var ErrTooLarge = errors.New("the archive is larger than MaxUploadedArchiveSize")

// Archive saves each cache of req that has an Upload: it packs what the
// entry selects, and uploads it unless the content is what Extract found
// for the same key. Every failure is a warning naming the key.
func Archive(ctx context.Context, req Request, opts Options) error {
	r := newRun(req, opts)
	if err := makeStateDir(req.StateDir); err != nil {
		return err
	}
	st := loadState(req.StateDir)
	for _, c := range req.Caches {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if c.Upload == nil {
			continue
		}
		r.say("Creating cache %s...", c.Key)
		if err := r.save(ctx, c, st.Extracted[c.Key]); err != nil {
			r.warn("Failed to create cache %s: %v", c.Key, err)
		}
	}
	return nil
}

// save packs and uploads one cache; extracted is the fingerprint of what
// was extracted for its key ("" for nothing).
func (r *run) save(ctx context.Context, c Cache, extracted string) error {
	fp, err := fingerprint(r.req.Dir, rules(c))
	if err != nil {
		return err
	}
	if fp == extracted {
		r.say("Archive is up to date!")
		return nil
	}
	tmp := filepath.Join(r.req.StateDir, "upload.zip")
	defer os.Remove(tmp)
	res, n, err := r.pack(c, tmp)
	if err != nil {
		return err
	}
	if res.Entries() == 0 {
		r.say("Nothing matched the paths of cache %s: not uploaded", c.Key)
		return nil
	}
	tctx, cancel := r.transferCtx(ctx)
	defer cancel()
	r.say("Uploading cache to %s (%d files, %s)", Where(c.Upload.URL), res.Files, size(n))
	if err := upload(tctx, r.client, *c.Upload, tmp); err != nil {
		return err
	}
	r.say("Created cache")
	return nil
}

// pack writes the zip of what c selects to dst, stopping at MaxSize.
func (r *run) pack(c Cache, dst string) (artifacts.Result, int64, error) {
	sel, err := pathglob.New(r.req.Dir, rules(c))
	if err != nil {
		return artifacts.Result{}, 0, err
	}
	f, err := createFile(dst)
	if err != nil {
		return artifacts.Result{}, 0, err
	}
	defer f.Close()
	cw := &countWriter{w: f, max: c.Upload.MaxSize}
	bw := bufio.NewWriterSize(cw, 256<<10)
	res, err := artifacts.Write(bw, sel, artifacts.Options{Format: artifacts.FormatZip, Compression: r.req.Compression,
		Refused: func(ref *pathglob.Refusal) { r.warn("Cache %s: %v", c.Key, ref) }})
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	for _, p := range sel.Summary().Paths {
		r.say("%s: found %d matching files and directories", p.Pattern, p.Entries)
	}
	if sel.Summary().Untracked > 0 {
		r.say("untracked: found %d files", sel.Summary().Untracked)
	}
	return res, cw.n, err
}

// countWriter counts what passes and fails past max bytes (0: no limit).
type countWriter struct {
	w   io.Writer
	n   int64
	max int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.max > 0 && c.n+int64(len(p)) > c.max {
		return 0, fmt.Errorf("%w (%s)", ErrTooLarge, size(c.max))
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// size is a byte count for the log.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
