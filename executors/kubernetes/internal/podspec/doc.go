// Package podspec builds what the Kubernetes executor sends to the API
// server, as pure functions: the job's spec (JobSpec, computed once per job
// and frozen), the pod of one attempt (BuildPod, which takes each image's
// pull policy as an argument), the variables Secret, the security contexts
// (from the job's security profile), the job's variables, the step scripts
// and the shell command that runs them, and the names, labels and expiry
// annotation every object of a job carries.
//
// It does no I/O and holds no client and no clock: a time comes in as an
// argument. It imports only kuberunner/common, common/config and the
// Kubernetes API types, so its output is checked against golden pods in
// testdata/.
package podspec
