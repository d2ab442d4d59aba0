// Package pathglob selects files of a project directory by GitLab's
// artifacts and cache rules: `paths` (globs, `**` included; a matched
// directory brings its whole tree), `exclude` (globs matched against each
// selected path, not recursive: `dir/**` excludes a tree, `dir` only the
// directory's own entry) and `untracked` (every file Git's index does not
// track, ignored files included, as `git ls-files --others` lists them).
//
// Selection is streaming: Selection.All yields one Entry at a time, in walk
// order, and keeps only the set of paths already yielded, never content.
//
// The project directory is a trust boundary. A path that leads out of it,
// written as such ("../x", "/etc/passwd") or through a symlink, is not
// selected: All yields a *Refusal for it and carries on, so that callers
// log it by name. Symlinks are never followed while walking; one whose
// target stays inside the directory is selected as a symlink, one that
// leads out is refused. CheckName applies the same rule to a name read
// from an archive before it is unpacked.
package pathglob
