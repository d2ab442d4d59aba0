package cachearchive

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"kuberunner/helpers/artifacts"
)

// Extract restores each cache of req: its sources in order until one is
// found. A miss goes on to the next key quietly; a failure is a warning
// naming the key and the reason, and goes on too. Its error is only for
// what stops every cache (the state directory cannot be made).
func Extract(ctx context.Context, req Request, opts Options) error {
	r := newRun(req, opts)
	if err := makeStateDir(req.StateDir); err != nil {
		return err
	}
	st := loadState(req.StateDir)
	for _, c := range req.Caches {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if key, fp, ok := r.restore(ctx, c); ok {
			st.Extracted[key] = fp
		}
	}
	return st.save(req.StateDir)
}

// restore tries c's sources; it returns the key extracted and the
// fingerprint of what c selects right after.
func (r *run) restore(ctx context.Context, c Cache) (string, string, bool) {
	for _, s := range c.Sources {
		r.say("Checking cache for %s...", s.Key)
		err := r.extractOne(ctx, s)
		switch {
		case errors.Is(err, errMiss):
			r.say("No cache found for %s", s.Key)
			continue
		case err != nil:
			r.warn("Failed to extract cache %s: %v", s.Key, err)
			continue
		}
		r.say("Successfully extracted cache")
		fp, err := fingerprint(r.req.Dir, rules(c))
		if err != nil {
			r.warn("Cache %s: its content could not be read back (%v); it will be uploaded after the job", s.Key, err)
			return "", "", false
		}
		return s.Key, fp, true
	}
	return "", "", false
}

// extractOne downloads one key's zip into the state directory and
// unpacks it into the project directory.
func (r *run) extractOne(ctx context.Context, s Source) error {
	tmp := filepath.Join(r.req.StateDir, "download.zip")
	defer os.Remove(tmp)
	tctx, cancel := r.transferCtx(ctx)
	defer cancel()
	n, err := download(tctx, r.client, s.URL, tmp)
	if err != nil {
		return err
	}
	r.say("Downloaded cache from %s (%s)", Where(s.URL), size(n))
	res, err := artifacts.ExtractZip(tmp, r.req.Dir)
	if err != nil {
		return err
	}
	r.say("Extracted %d files, %d directories, %d symlinks", res.Files, res.Dirs, res.Symlinks)
	return nil
}
