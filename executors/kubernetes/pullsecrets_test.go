package kubernetes

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/podwatch"
	"kuberunner/executors/kubernetes/internal/pull"
	"kuberunner/executors/kubernetes/internal/registryauth"
)

// The secrets of these tests: none may appear in a log line, an error or
// a failure's message.
const (
	jobVarPassword = "pw-job-variable-0001"
	runnerPassword = "pw-runner-env-0002"
	payloadToken   = "job-token-payload-0003"
)

const privateHost = "127.0.0.1:5008"

func authConfigFor(host, user, password string) string {
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	return fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, auth)
}

// privateSpec is a job whose build image and service are in the private
// registry and whose helper is in the public one.
func privateSpec() *podspec.JobSpec {
	spec := testSpec(common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent})
	spec.Containers[0].Image = privateHost + "/build:1"
	spec.Containers[2].Image = privateHost + "/team/db:1"
	spec.Policies = map[string]common.PullPolicies{
		privateHost + "/build:1": spec.Policies["reg/build:1"], "reg/helper:1": spec.Policies["reg/helper:1"],
		privateHost + "/team/db:1": spec.Policies["reg/db:1"],
	}
	return spec
}

// authAt holds the job's Secret data, as the kubelet would read it.
type authAt map[string]struct {
	Username, Password, Auth string
}

func secretRegistries(t *testing.T, data []byte) authAt {
	t.Helper()
	var cfg struct{ Auths authAt }
	require.NoError(t, json.Unmarshal(data, &cfg))
	return cfg.Auths
}

// Each source of credentials as Prepare reads it, GitLab Runner's
// precedence among them, and what the build log and a pull failure say:
// the registry and the source, never the secret.
func TestNewPullAuth(t *testing.T) {
	payload := []common.Credentials{{Type: "registry", URL: privateHost, Username: "gitlab-ci-token", Password: payloadToken}}
	tests := []struct {
		name   string
		vars   common.JobVariables
		env    []string
		creds  []common.Credentials
		cfg    config.KubernetesConfig
		secret map[string]string // registry → user in the job's Secret; nil for no Secret
		log    []string
		sent   string // sentFor the build image
	}{
		{
			name: "payload credentials", creds: payload,
			secret: map[string]string{privateHost: "gitlab-ci-token"},
			log:    []string{"credentials for " + privateHost + " from the job payload"},
			sent:   "credentials for " + privateHost + " from the job payload were sent",
		},
		{
			name: "DOCKER_AUTH_CONFIG as a job variable comes first", creds: payload,
			vars:   common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: authConfigFor(privateHost, "alice", jobVarPassword)}},
			env:    []string{"DOCKER_AUTH_CONFIG=" + authConfigFor(privateHost, "bob", runnerPassword)},
			secret: map[string]string{privateHost: "alice"},
			log:    []string{"credentials for " + privateHost + " from DOCKER_AUTH_CONFIG (job variable)"},
			sent:   "credentials for " + privateHost + " from DOCKER_AUTH_CONFIG (job variable) were sent",
		},
		{
			name: "DOCKER_AUTH_CONFIG in the runner's environment before the payload", creds: payload,
			env:    []string{"OTHER=1", "DOCKER_AUTH_CONFIG=" + authConfigFor(privateHost, "bob", runnerPassword)},
			secret: map[string]string{privateHost: "bob"},
			log:    []string{"credentials for " + privateHost + " from DOCKER_AUTH_CONFIG (runner environment)"},
			sent:   "credentials for " + privateHost + " from DOCKER_AUTH_CONFIG (runner environment) were sent",
		},
		{
			name:   "only the registries the job's images use",
			vars:   common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"` + privateHost + `":{"username":"alice","password":"` + jobVarPassword + `"},"other.example.com":{"username":"x","password":"` + runnerPassword + `"}}}`}},
			secret: map[string]string{privateHost: "alice"},
			sent:   "credentials for " + privateHost + " from DOCKER_AUTH_CONFIG (job variable) were sent",
		},
		{
			name: "a job variable that refers to another, as the job sees it",
			vars: common.JobVariables{
				{Key: "REGISTRY_AUTH", Value: authConfigFor(privateHost, "alice", jobVarPassword), Raw: true},
				{Key: "DOCKER_AUTH_CONFIG", Value: "$REGISTRY_AUTH"},
			},
			secret: map[string]string{privateHost: "alice"},
			sent:   "credentials for " + privateHost + " from DOCKER_AUTH_CONFIG (job variable) were sent",
		},
		{
			name:   "the runner's refers to a runner variable",
			env:    []string{"AUTH=" + authConfigFor(privateHost, "bob", runnerPassword), "DOCKER_AUTH_CONFIG=${AUTH}"},
			secret: map[string]string{privateHost: "bob"},
		},
		{
			name: "image_pull_secrets alone", cfg: config.KubernetesConfig{ImagePullSecrets: []string{"corp"}},
			log:  []string{"image pull secrets from image_pull_secrets: corp"},
			sent: "no credentials were sent for " + privateHost + "; the pod also named image_pull_secrets corp",
		},
		{
			name: "use_service_account_image_pull_secrets", creds: payload,
			cfg:  config.KubernetesConfig{ImagePullSecrets: []string{"corp"}, UseServiceAccountImagePullSecrets: true},
			log:  []string{"use_service_account_image_pull_secrets: the pod names no pull secrets, the service account's apply"},
			sent: "the pod named no pull secrets: use_service_account_image_pull_secrets = true, so the service account's apply",
		},
		{
			name: "no credentials", sent: "no credentials were sent for " + privateHost,
		},
		{
			name:   "a token-only entry is a warning",
			vars:   common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"` + privateHost + `":{"identitytoken":"` + jobVarPassword + `"}}}`}},
			creds:  payload,
			secret: map[string]string{privateHost: "gitlab-ci-token"},
			log:    []string{"WARNING: DOCKER_AUTH_CONFIG (job variable): entry \"" + privateHost + "\" holds only a token"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := privateSpec()
			job := &common.Job{ID: 7, Variables: tt.vars, Credentials: tt.creds}
			a, err := newPullAuth(job, &config.RunnerConfig{Environment: tt.env}, &tt.cfg, spec, expanded(t, job, tt.env))
			require.NoError(t, err)
			log := &lineLog{}
			a.logLines(log)
			if tt.secret == nil {
				assert.Nil(t, a.data, "no Secret of the job's own")
			} else {
				got := secretRegistries(t, a.data)
				require.Len(t, got, len(tt.secret))
				for host, user := range tt.secret {
					assert.Equal(t, user, got[host].Username)
				}
			}
			for _, want := range tt.log {
				assert.Contains(t, log.text(), want)
			}
			if tt.sent != "" {
				assert.Equal(t, tt.sent, a.sentFor(privateHost+"/build:1"))
			}
			printed := append(slices.Clone(log.lines), a.sentFor(privateHost+"/build:1"), a.sentFor("reg/helper:1"), fmt.Sprintf("%+v %#v", a.res, a.res))
			requireNoSecret(t, printed)
		})
	}
}

// expanded are the job's variables as Prepare computes them.
func expanded(t *testing.T, job *common.Job, env []string) common.JobVariables {
	vars, err := podspec.Variables(job, &config.RunnerConfig{Name: "r", Environment: env}, podspec.RunInfo{ProjectDir: "/builds/p"})
	require.NoError(t, err)
	return vars
}

// A DOCKER_AUTH_CONFIG that cannot be read fails the job as a configuration
// error that names the source, never the value.
func TestNewPullAuthErrors(t *testing.T) {
	tests := []struct {
		name string
		vars common.JobVariables
		env  []string
		want string
	}{
		{"job variable not JSON", common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths": ` + jobVarPassword}}, nil,
			"DOCKER_AUTH_CONFIG (job variable) is not valid JSON"},
		{"runner environment: auth not user:password", nil, []string{"DOCKER_AUTH_CONFIG=" + `{"auths":{"r.example.com":{"auth":"` + base64.StdEncoding.EncodeToString([]byte(runnerPassword)) + `"}}}`},
			`DOCKER_AUTH_CONFIG (runner environment): entry "r.example.com" has an auth that does not decode to username:password`},
		{"half an entry", common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"r.example.com":{"password":"` + jobVarPassword + `"}}}`}}, nil,
			"has a username or a password but not both"},
		{"a raw value is read as written", common.JobVariables{{Key: "A", Value: `{}`}, {Key: "DOCKER_AUTH_CONFIG", Value: "$A", Raw: true}}, nil,
			"DOCKER_AUTH_CONFIG (job variable) is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := &common.Job{ID: 7, Variables: tt.vars}
			_, err := newPullAuth(job, &config.RunnerConfig{Environment: tt.env}, &config.KubernetesConfig{}, privateSpec(), expanded(t, job, tt.env))
			require.Error(t, err)
			var ce *registryauth.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), tt.want)
			requireNoSecret(t, []string{err.Error(), configFailure(err).Error()})
		})
	}
}

// An image name that does not parse is left to the kubelet when the job
// has no credentials (InvalidImageName, as before), and is a configuration
// error naming the image when it has some: no registry can be matched.
func TestInvalidImageWithAndWithoutCredentials(t *testing.T) {
	spec := privateSpec()
	spec.Containers[0].Image = "127.0.0.1:5000/Not_A_Valid:Name:x"
	a, err := newPullAuth(&common.Job{ID: 7}, &config.RunnerConfig{}, &config.KubernetesConfig{}, spec, nil)
	require.NoError(t, err)
	assert.Nil(t, a.data)
	assert.Equal(t, "no credentials were sent for "+spec.Containers[0].Image, a.sentFor(spec.Containers[0].Image))

	payload := []common.Credentials{{Type: "registry", URL: privateHost, Username: "gitlab-ci-token", Password: payloadToken}}
	_, err = newPullAuth(&common.Job{ID: 7, Credentials: payload}, &config.RunnerConfig{}, &config.KubernetesConfig{}, spec, nil)
	var ie *registryauth.ImageError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, spec.Containers[0].Image, ie.Image)
}

// requireNoSecret fails for any printed text that holds a password of
// these tests or an auth value made from one.
func requireNoSecret(t *testing.T, printed []string) {
	t.Helper()
	for _, p := range printed {
		for _, s := range []string{jobVarPassword, runnerPassword, payloadToken} {
			assert.NotContains(t, p, s)
			assert.NotContains(t, p, strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(s)), "="))
			for _, user := range []string{"alice", "bob", "gitlab-ci-token"} {
				assert.NotContains(t, p, strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(user+":"+s)), "="))
			}
		}
	}
}

// namingClientset is a fake clientset that names created objects from
// their GenerateName, as the API server does.
func namingClientset(objs ...runtime.Object) *fake.Clientset {
	cs := fake.NewClientset(objs...)
	nameSecrets(cs)
	return cs
}

func nameSecrets(cs *fake.Clientset) {
	n := 0
	cs.PrependReactor("create", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		obj := a.(k8stesting.CreateAction).GetObject().(metav1.Object)
		if obj.GetName() == "" {
			n++
			obj.SetName(fmt.Sprintf("%sx%d", obj.GetGenerateName(), n))
		}
		return false, nil, nil
	})
}

// The job's registry Secret is created only when the job has credentials
// of its own, and the pod names the configured Secrets, then it.
func TestPullSecretsCreatesTheJobSecret(t *testing.T) {
	payload := []common.Credentials{{Type: "registry", URL: privateHost, Username: "gitlab-ci-token", Password: payloadToken}}
	tests := []struct {
		name    string
		creds   []common.Credentials
		cfg     config.KubernetesConfig
		created bool
		refs    []string // names; "job" stands for the created Secret
	}{
		{"credentials", payload, config.KubernetesConfig{}, true, []string{"job"}},
		{"credentials and image_pull_secrets", payload, config.KubernetesConfig{ImagePullSecrets: []string{"corp", "team"}}, true, []string{"corp", "team", "job"}},
		{"image_pull_secrets alone", nil, config.KubernetesConfig{ImagePullSecrets: []string{"corp"}}, false, []string{"corp"}},
		{"the service account's", payload, config.KubernetesConfig{ImagePullSecrets: []string{"corp"}, UseServiceAccountImagePullSecrets: true}, false, nil},
		{"nothing", nil, config.KubernetesConfig{}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := privateSpec()
			spec.Expires = time.Date(2026, 11, 27, 13, 0, 30, 0, time.UTC)
			a, err := newPullAuth(&common.Job{ID: 7, Credentials: tt.creds}, &config.RunnerConfig{}, &tt.cfg, spec, nil)
			require.NoError(t, err)
			cs := namingClientset()
			made := false
			log := &lineLog{}
			refs, err := a.pullSecrets(context.Background(), kubeapi.Client{Interface: cs}, spec, func() { made = true }, log)
			require.NoError(t, err)
			assert.Equal(t, tt.created, made)

			secrets, err := cs.CoreV1().Secrets("ci").List(context.Background(), metav1.ListOptions{})
			require.NoError(t, err)
			var names []string
			for _, r := range refs {
				names = append(names, r.Name)
			}
			if !tt.created {
				assert.Empty(t, secrets.Items)
				assert.Equal(t, tt.refs, names)
				return
			}
			require.Len(t, secrets.Items, 1)
			s := secrets.Items[0]
			assert.Equal(t, corev1.SecretTypeDockerConfigJson, s.Type)
			assert.Equal(t, spec.Key, s.Labels[podspec.JobLabel])
			assert.Equal(t, "2026-11-27T13:00:30Z", s.Annotations[podspec.ExpiresAnnotation])
			assert.Equal(t, "gitlab-ci-token", secretRegistries(t, s.Data[corev1.DockerConfigJsonKey])[privateHost].Username)
			want := slices.Clone(tt.refs)
			want[slices.Index(want, "job")] = s.Name
			assert.Equal(t, want, names)
			assert.Contains(t, log.text(), "Registry credentials of the job are in Secret ci/"+s.Name)
			requireNoSecret(t, log.lines)
		})
	}
}

// A registry Secret the API server refuses is the job's failure, and
// cleanup is not asked for it; one whose create may have gone through is
// cleaned up.
func TestPullSecretsCreateFails(t *testing.T) {
	gr := schema.GroupResource{Resource: "secrets"}
	tests := []struct {
		name string
		err  error
		made bool
	}{
		{"forbidden", apierrors.NewForbidden(gr, "", errors.New("RBAC")), false},
		{"no answer", apierrors.NewTimeoutError("slow", 1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := privateSpec()
			payload := []common.Credentials{{Type: "registry", URL: privateHost, Username: "gitlab-ci-token", Password: payloadToken}}
			a, err := newPullAuth(&common.Job{ID: 7, Credentials: payload}, &config.RunnerConfig{}, &config.KubernetesConfig{}, spec, nil)
			require.NoError(t, err)
			cs := fake.NewClientset()
			cs.PrependReactor("create", "secrets", func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, tt.err })
			made := false
			_, err = a.pullSecrets(context.Background(), kubeapi.Client{Interface: cs}, spec, func() { made = true }, &lineLog{})
			require.Error(t, err)
			assert.ErrorIs(t, err, &common.BuildError{FailureReason: common.RunnerSystemFailure})
			assert.Contains(t, err.Error(), "create the job's registry secret")
			assert.Equal(t, tt.made, made)
			requireNoSecret(t, []string{err.Error()})
		})
	}
}

// Every attempt names the same pull secrets, the if-not-present fallback
// pod too; and a pull failure says what credentials went with it.
func TestEveryAttemptCarriesThePullSecrets(t *testing.T) {
	refused := waitingFor("ErrImagePull", "dial tcp "+privateHost+": connect: connection refused")
	denied := waitingFor("ErrImagePull", `failed to pull and unpack image "`+privateHost+`/build:1": 401 Unauthorized`)
	payload := []common.Credentials{{Type: "registry", URL: privateHost, Username: "gitlab-ci-token", Password: payloadToken}}
	tests := []struct {
		name     string
		creds    []common.Credentials
		scripts  []attemptScript
		rules    pull.Rules
		attempts int
		err      string // "" for a pod that starts
	}{
		{
			name:  "unreachable with credentials falls back with them",
			creds: payload,
			scripts: []attemptScript{
				{created: statuses{with(starting, podspec.BuildContainer, refused)}},
				{created: statuses{up}},
			},
			attempts: 2,
		},
		{
			name:     "denied with credentials names them and does not fall back",
			creds:    payload,
			scripts:  []attemptScript{{created: statuses{with(starting, podspec.BuildContainer, denied)}}},
			attempts: 1,
			err:      "401 Unauthorized (credentials for " + privateHost + " from the job payload were sent; the pod also named image_pull_secrets corp)",
		},
		{
			name:     "denied without credentials says none were sent",
			scripts:  []attemptScript{{created: statuses{with(starting, podspec.BuildContainer, denied)}}},
			attempts: 1,
			err:      "401 Unauthorized (no credentials were sent for " + privateHost + "; the pod also named image_pull_secrets corp)",
		},
		{
			name:  "denied falls back, with the same Secret, only when allowed",
			creds: payload,
			scripts: []attemptScript{
				{created: statuses{with(starting, podspec.BuildContainer, denied)}},
				{created: statuses{up}},
			},
			rules:    pull.Rules{FallbackOnDenied: true},
			attempts: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := privateSpec()
			cfg := config.KubernetesConfig{ImagePullSecrets: []string{"corp"}}
			a, err := newPullAuth(&common.Job{ID: 7, Credentials: tt.creds}, &config.RunnerConfig{}, &cfg, spec, nil)
			require.NoError(t, err)
			fc := newFakeCluster(tt.scripts...)
			nameSecrets(fc.Clientset)
			log := &lineLog{}
			refs, err := a.pullSecrets(context.Background(), kubeapi.Client{Interface: fc}, spec, func() {}, log)
			require.NoError(t, err)
			pulls := pull.NewManager(spec.Policies, log)
			pulls.SetRules(tt.rules)
			loop := &attemptLoop{
				client: fc, spec: spec, secrets: podspec.PodSecrets{Variables: "s", Pull: refs}, sent: a.sentFor,
				watch: podwatch.New(fc.watch), log: log, pulls: pulls, timeout: time.Minute, created: func() {},
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err = loop.run(ctx)
			assert.Equal(t, tt.attempts, loop.stats.attempts, log.text())
			if tt.err == "" {
				require.NoError(t, err, log.text())
			} else {
				require.Error(t, err)
				assert.ErrorIs(t, err, &common.BuildError{FailureReason: common.ImagePullFailure})
				assert.Contains(t, err.Error(), tt.err)
				assert.Contains(t, log.text(), tt.err, "the warning line says it too")
			}
			require.NotEmpty(t, fc.pods)
			for _, p := range fc.pods {
				assert.Equal(t, refs, p.Spec.ImagePullSecrets, "pod %s", p.Name)
			}
			assert.Equal(t, "corp", refs[0].Name, "the configured Secrets come first")
			assert.Len(t, refs, 1+len(tt.creds), "and the job's own when it has credentials")
			requireNoSecret(t, append(log.lines, fmt.Sprint(err)))
		})
	}
}

// deleteCollectionByLabel makes the fake clientset honour DeleteCollection
// with a label selector, as the API server does.
func deleteCollectionByLabel(cs *fake.Clientset) {
	cs.PrependReactor("delete-collection", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		dc := a.(k8stesting.DeleteCollectionAction)
		sel, err := labels.Parse(dc.GetListRestrictions().Labels.String())
		if err != nil {
			return true, nil, err
		}
		gvr := dc.GetResource()
		list, err := cs.Tracker().List(gvr, gvr.GroupVersion().WithKind(kindOf(gvr.Resource)), dc.GetNamespace())
		if err != nil {
			return true, nil, err
		}
		objs, _ := meta(list)
		for _, o := range objs {
			if sel.Matches(labels.Set(o.GetLabels())) {
				if err := cs.Tracker().Delete(gvr, o.GetNamespace(), o.GetName()); err != nil {
					return true, nil, err
				}
			}
		}
		return true, nil, nil
	})
}

func kindOf(resource string) string {
	return map[string]string{"pods": "Pod", "secrets": "Secret"}[resource]
}

func meta(list runtime.Object) ([]metav1.Object, error) {
	var out []metav1.Object
	switch l := list.(type) {
	case *corev1.SecretList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	case *corev1.PodList:
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	}
	return out, nil
}

// Cleanup removes the job's registry Secret with its variables Secret and
// its pods, by the job label, and nothing of another job.
func TestCleanupRemovesTheRegistrySecret(t *testing.T) {
	spec, other := privateSpec(), privateSpec()
	other.Key = "8-def"
	data := []byte(`{"auths":{}}`)
	objs := []runtime.Object{}
	for i, s := range []*corev1.Secret{
		podspec.BuildSecret(spec, nil), podspec.BuildRegistrySecret(spec, data),
		podspec.BuildSecret(other, nil), podspec.BuildRegistrySecret(other, data),
	} {
		s.Name = fmt.Sprintf("%s%d", s.GenerateName, i)
		objs = append(objs, s)
	}
	cs := fake.NewClientset(objs...)
	deleteCollectionByLabel(cs)

	require.NoError(t, cleanup(context.Background(), cs, "ci", spec.Key, created{secret: true, pods: true}, nil))

	secrets, err := cs.CoreV1().Secrets("ci").List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	var left []string
	for _, s := range secrets.Items {
		left = append(left, s.Labels[podspec.JobLabel]+" "+string(s.Type))
	}
	assert.ElementsMatch(t, []string{"8-def Opaque", "8-def kubernetes.io/dockerconfigjson"}, left)
}

// After a SIGKILL the registry Secret is left like the others; the next
// start's sweep deletes it once it has expired, and keeps it before.
func TestSweepTakesTheRegistrySecret(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	expired, live := privateSpec(), privateSpec()
	expired.Expires, live.Expires = now.Add(-time.Second), now.Add(time.Minute)
	var objs []runtime.Object
	for i, spec := range []*podspec.JobSpec{expired, live} {
		s := podspec.BuildRegistrySecret(spec, []byte(`{"auths":{}}`))
		s.Name, s.UID = fmt.Sprintf("registry-%d", i), "uid"
		objs = append(objs, s)
	}
	cs := fake.NewClientset(objs...)
	rep, err := sweep(context.Background(), kubeapi.Client{Interface: cs}, "ci", now)
	require.NoError(t, err)
	assert.Equal(t, []string{"secret ci/registry-0"}, rep.Deleted)
	assert.Equal(t, []string{"secret ci/registry-1"}, rep.Kept)
}

// Through Prepare: the build log names each credential and its source, a
// DOCKER_AUTH_CONFIG that cannot be read is the job's configuration error,
// and neither shows a secret.
func TestPrepareReadsTheCredentials(t *testing.T) {
	tests := []struct {
		name   string
		vars   common.JobVariables
		reason common.FailureReason // "" for a Prepare that succeeds
		want   string               // in the build log, or in the error
	}{
		{
			name: "credentials in the log",
			vars: common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: authConfigFor(privateHost, "alice", jobVarPassword)}},
			want: "credentials for " + privateHost + " from DOCKER_AUTH_CONFIG (job variable)",
		},
		{
			name:   "unreadable DOCKER_AUTH_CONFIG",
			vars:   common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: `{"auths":{"` + privateHost + `":{"auth":"` + jobVarPassword + `!"}}}`}},
			reason: common.ConfigurationFailure,
			want:   `DOCKER_AUTH_CONFIG (job variable): entry "` + privateHost + `" has an auth that is not base64`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &config.KubernetesConfig{Image: privateHost + "/build:1"}
			runner := &config.RunnerConfig{Name: "r", Kubernetes: cfg}
			job := &common.Job{ID: 7, Variables: tt.vars, Credentials: []common.Credentials{{Type: "registry", URL: "other.example.com", Username: "gitlab-ci-token", Password: payloadToken}},
				Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}
			log := &lineLog{}
			e := New(&rest.Config{Host: "https://127.0.0.1:1"})
			err := e.Prepare(context.Background(), executors.Options{Job: job, Runner: runner, Log: log})
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Contains(t, log.text(), tt.want)
				assert.NotContains(t, log.text(), "other.example.com", "a registry no image uses is not named")
			} else {
				require.Error(t, err)
				assert.ErrorIs(t, err, &common.BuildError{FailureReason: tt.reason})
				assert.Contains(t, err.Error(), tt.want)
			}
			requireNoSecret(t, append(log.lines, fmt.Sprint(err)))
		})
	}
}
