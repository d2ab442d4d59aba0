// Package buildlog writes the job's build log as GitLab shows it: leveled
// lines, collapsible sections, and the script's output with masked values
// replaced before a byte reaches the writer.
package buildlog
