// Package buildlog writes the job's build log as GitLab shows it: leveled
// lines, collapsible sections, and the script's output with masked values
// and prefixed tokens (GitLab's token_mask_prefixes) replaced before a byte
// reaches the writer. The runner's own lines have control characters
// escaped, so text from a job (its name, a message that quotes it) cannot
// restyle the terminal or forge a line.
package buildlog
