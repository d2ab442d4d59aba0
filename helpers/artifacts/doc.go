// Package artifacts is what the helper container does with a job's
// artifacts, short of talking to GitLab: it builds an artifact from the
// project directory as a stream (Write: a zip archive with GitLab's
// metadata file, a gzip stream of the files, or one raw file), and unpacks
// a dependency's zip archive into the project directory (ExtractZip).
//
// Nothing is ever held whole in memory: Write copies one file at a time
// into the caller's writer (the upload's request body), and ExtractZip
// reads a zip file the caller has on disk. What goes in is chosen by
// helpers/pathglob, whose refusals (paths and symlinks that lead out of
// the project directory) the caller logs; what comes out is checked with
// the same rule, so that an archive never writes outside the directory or
// through a symlink.
//
// The requests that `kuberunner helper artifacts-upload` and
// `artifacts-download` read on stdin are UploadRequest and
// DownloadRequest: they carry the job token, which never goes into an argv
// or a pod spec.
package artifacts
