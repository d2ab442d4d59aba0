package runner

import "kuberunner/helpers/safetext"

// logTextLimit caps each string from GitLab in the daemon's log (a job's
// name, why its payload could not be read). GitLab's names are at most
// 255 characters, so 1 KiB keeps any sane one whole.
const logTextLimit = 1024

// logText is s from GitLab as the daemon's log may show it: escaped, so
// that it cannot forge a line or steer a terminal, and capped.
func logText(s string) string { return safetext.Short(s, logTextLimit) }
