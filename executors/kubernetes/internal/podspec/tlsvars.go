package podspec

import (
	"kuberunner/common"
	"kuberunner/common/config"
)

// TLSCAFileVariable names the file that holds the runner's tls-ca-file, as
// GitLab Runner exposes it to a job: tools in the job (git, curl, a
// package manager) can trust the same GitLab the runner does.
const TLSCAFileVariable = "CI_SERVER_TLS_CA_FILE"

// TLSVariables are the job variables of the runner's tls-* files: a
// file-type CI_SERVER_TLS_CA_FILE with the CA's PEM when tls-ca-file is
// set, else none. They come before every other variable, so a job may
// set its own. The client certificate and key are not exposed: a job
// has no business with the runner's identity towards GitLab.
func TLSVariables(runner *config.RunnerConfig) common.JobVariables {
	ca := runner.TLS().CA
	if ca == "" {
		return nil
	}
	return common.JobVariables{{Key: TLSCAFileVariable, Value: ca, Public: true, File: true, Raw: true}}
}
