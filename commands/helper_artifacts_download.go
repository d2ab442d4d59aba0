package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"kuberunner/helpers/artifacts"
	"kuberunner/network"
)

// downloadFromRequest reads the request and fetches and unpacks the
// dependency's archive.
func downloadFromRequest(ctx context.Context, root string, stdin io.Reader, out *lineWriter) error {
	req, err := artifacts.ReadDownload(stdin)
	if err != nil {
		return err
	}
	if req.Dir, err = artifacts.ProjectDir(root, req.Dir, true); err != nil {
		return &jobFaultError{err}
	}
	return downloadArtifacts(ctx, req, out)
}

// downloadArtifacts keeps the archive in a file next to the project
// directory, on the builds volume, never in memory: a zip is read from
// its end.
func downloadArtifacts(ctx context.Context, req artifacts.DownloadRequest, out *lineWriter) error {
	client, err := jobClient(req.Target, out)
	if err != nil {
		return err
	}
	label := fmt.Sprintf("%q (job %d)", req.Name, req.JobID)
	out.say("Downloading artifacts for %s...", label)
	f, err := os.CreateTemp(filepath.Dir(req.Dir), ".artifacts-download-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	tr, err := client.DownloadArtifacts(ctx, req.JobID, req.Token, f)
	switch {
	case errors.Is(err, network.ErrNotFound):
		return &missingError{fmt.Errorf("downloading artifacts for %s: GitLab has none (404): %w", label, err)}
	case err != nil:
		return fmt.Errorf("downloading artifacts for %s: %w", label, err)
	}
	res, err := artifacts.ExtractZip(f.Name(), req.Dir)
	if err != nil {
		return &jobFaultError{fmt.Errorf("unpacking the artifacts of %s: %w", label, err)}
	}
	out.say("Downloaded artifacts for %s: %s from %s, unpacked %s (%s)",
		label, sizeText(tr.Bytes), where(tr), entriesText(res), attemptsText(tr.Attempts))
	return nil
}
