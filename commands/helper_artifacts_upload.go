package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"kuberunner/helpers/artifacts"
	"kuberunner/helpers/pathglob"
	"kuberunner/network"
)

// uploadFromRequest reads the request and uploads its artifact.
func uploadFromRequest(ctx context.Context, root string, stdin io.Reader, out *lineWriter) error {
	req, err := artifacts.ReadUpload(stdin)
	if err != nil {
		return err
	}
	if req.Dir, err = artifacts.ProjectDir(root, req.Dir, false); err != nil {
		return &jobFaultError{err}
	}
	return uploadArtifact(ctx, req, out)
}

// uploadArtifact counts what the rules select, logging each rule's
// result and every refusal, then uploads; an artifact with nothing in it
// is a warning, not a failure, as on GitLab Runner.
func uploadArtifact(ctx context.Context, req artifacts.UploadRequest, out *lineWriter) error {
	rules := pathglob.Rules{Paths: req.Paths, Exclude: req.Exclude, Untracked: req.Untracked}
	sel, err := pathglob.New(req.Dir, rules)
	if err != nil {
		return &jobFaultError{err}
	}
	count, err := artifacts.Count(sel, req.Format, func(r *pathglob.Refusal) { out.warn("%v: not uploaded", r) })
	if err != nil {
		return &jobFaultError{err}
	}
	logSelection(out, req, sel.Summary())
	switch {
	case count.Files+count.Symlinks == 0:
		out.warn("No files to upload for %s", artifactLabel(req))
		return nil
	case req.Format == artifacts.FormatRaw && count.Files > 1:
		return &jobFaultError{fmt.Errorf("%s: %w (%d files)", artifactLabel(req), artifacts.ErrRawNeedsOneFile, count.Files)}
	}
	return send(ctx, req, count, rules, out)
}

// logSelection prints what each rule found, as GitLab Runner does.
func logSelection(out *lineWriter, req artifacts.UploadRequest, sum pathglob.Summary) {
	for _, c := range sum.Paths {
		if c.Entries == 0 {
			out.warn("%s: no matching files. Ensure that the artifact path is relative to the working directory (%s)", c.Pattern, req.Dir)
			continue
		}
		out.say("%s: found %d matching artifact files and directories", c.Pattern, c.Entries)
	}
	if req.Untracked {
		out.say("untracked: found %d files", sum.Untracked)
	}
	for _, c := range sum.Excluded {
		out.say("%s: excluded %d files and directories", c.Pattern, c.Entries)
	}
}

func artifactLabel(req artifacts.UploadRequest) string {
	return fmt.Sprintf("%q (%s, %s)", req.Name, req.Type, req.Format)
}

// send uploads the artifact, built again from the files for each try.
func send(ctx context.Context, req artifacts.UploadRequest, count artifacts.Result, rules pathglob.Rules, out *lineWriter) error {
	client, err := jobClient(req.Target, out)
	if err != nil {
		return err
	}
	out.say("Uploading artifacts as %s to coordinator: %s",
		artifactLabel(req), entriesText(count))
	tr, err := client.UploadArtifact(ctx, network.ArtifactUpload{
		JobID: req.JobID, Token: req.Token, Filename: fileName(req),
		Type: req.Type, Format: string(req.Format), ExpireIn: req.ExpireIn,
		Write: func(w io.Writer) ([]byte, error) { return writeArtifact(w, req, rules) },
	})
	if err != nil {
		return uploadError(req, count, tr, err)
	}
	out.say("Uploaded artifacts as %s: %s sent to %s (%d %s, %s)",
		artifactLabel(req), sizeText(tr.Bytes), where(tr), tr.Status, http.StatusText(tr.Status), attemptsText(tr.Attempts))
	return nil
}

// writeArtifact builds the artifact once more; refusals were logged by
// the count.
func writeArtifact(w io.Writer, req artifacts.UploadRequest, rules pathglob.Rules) ([]byte, error) {
	sel, err := pathglob.New(req.Dir, rules)
	if err != nil {
		return nil, err
	}
	res, err := artifacts.Write(w, sel, artifacts.Options{Format: req.Format, Compression: req.Compression, Metadata: req.Metadata && req.Format == artifacts.FormatZip})
	return res.Metadata, err
}

// uploadError says why an upload failed and whose fault it is: the job's
// for an artifact over GitLab's limit or one that cannot be built.
func uploadError(req artifacts.UploadRequest, count artifacts.Result, tr network.Transfer, err error) error {
	var se *network.ArtifactSourceError
	switch {
	case errors.Is(err, network.ErrTooLarge):
		return &jobFaultError{fmt.Errorf("uploading artifacts as %s: too large for GitLab (413): the artifact holds %s, of which %s had been sent when GitLab refused it; the limit is GitLab's maximum artifacts size (instance, group or project setting); GitLab's answer: %v",
			artifactLabel(req), entriesText(count), sizeText(tr.Bytes), err)}
	case errors.As(err, &se):
		return &jobFaultError{fmt.Errorf("uploading artifacts as %s: %w", artifactLabel(req), err)}
	}
	return fmt.Errorf("uploading artifacts as %s: %w", artifactLabel(req), err)
}

func entriesText(r artifacts.Result) string {
	s := fmt.Sprintf("%d files, %s", r.Files, sizeText(r.Bytes))
	if r.Dirs > 0 {
		s += fmt.Sprintf(", %d directories", r.Dirs)
	}
	if r.Symlinks > 0 {
		s += fmt.Sprintf(", %d symlinks", r.Symlinks)
	}
	return s
}

func attemptsText(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// fileName is the file part's name: the artifact's name with its format's
// extension, as GitLab stores it.
func fileName(req artifacts.UploadRequest) string {
	name := req.Name
	if name == "" {
		name = "artifacts"
	}
	switch req.Format {
	case artifacts.FormatZip:
		return name + ".zip"
	case artifacts.FormatGzip:
		return name + ".gz"
	}
	return name
}
