//go:build integration

package commands

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// Issue 19 through `kuberunner run` and the test coordinator: jobs whose
// images are only in the registries that want credentials
// (localcluster.BasicAuthRegistryHost, TokenAuthRegistryHost). Every test
// ends with authRun.requireNoSecrets, a scan of all that it could read.

const (
	basicHost = localcluster.BasicAuthRegistryHost
	tokenHost = localcluster.TokenAuthRegistryHost
	// jobSecretType is the type of the job's registry Secret.
	jobSecretType = corev1.SecretTypeDockerConfigJson
)

// authRunOptions is one `kuberunner run` of these tests.
type authRunOptions struct {
	concurrent int
	env        []string // [[runners]] environment
	helper     string   // helper_image; the local cluster's by default
	kube       []string // more lines of [runners.kubernetes]
}

// authRun is `kuberunner run` with its metrics served, against a
// coordinator, in a namespace of its own, with everything a test must find
// no secret in.
type authRun struct {
	t       *testing.T
	srv     *coordinator.Server
	ns      string
	config  string
	metrics string
	cmd     *exec.Cmd
	outs    []*lockedBuffer // the output of each process started
	ids     []int64
	pods    *clustertest.PodRecorder
	secrets []string // what no output may hold
}

func startAuthRun(t *testing.T, o authRunOptions) *authRun {
	t.Helper()
	clustertest.NeedRegistry(t)
	clustertest.NeedAuthRegistry(t)
	clustertest.CacheShared(t, localcluster.HelperImage)
	r := &authRun{t: t, srv: coordinator.New(t, "tok"), ns: clustertest.Namespace(t)}
	r.srv.SetTraceInterval(1)
	r.secrets = authSecrets(t)
	r.pods = clustertest.RecordPods(t, r.ns)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	r.metrics = "http://" + addr + "/metrics"
	helper := o.helper
	if helper == "" {
		helper = localcluster.HelperImage
	}
	env := make([]string, len(o.env))
	for i, e := range o.env {
		env[i] = tomlString(t, e)
	}
	cfg := fmt.Sprintf("concurrent = %d\ncheck_interval = 1\nlisten_address = %q\n\n[[runners]]\n  name = \"it\"\n  url = %q\n  token = \"tok\"\n  executor = \"kubernetes\"\n  environment = [%s]\n"+
		"  [runners.kubernetes]\n    namespace = %q\n    image = %q\n    helper_image = %q\n    pull_policy = \"if-not-present\"\n    allowed_pull_policies = [\"always\", \"if-not-present\"]\n%s\n",
		max(o.concurrent, 1), addr, r.srv.URL, strings.Join(env, ", "), r.ns, localcluster.BusyboxImage, helper, strings.Join(o.kube, "\n"))
	r.config = filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(r.config, []byte(cfg), 0o600))
	r.start()
	return r
}

// tomlString quotes s for config.toml; Go's quoting is TOML's for the
// printable ASCII these tests use.
func tomlString(t *testing.T, s string) string {
	q := strconv.Quote(s)
	require.NotContains(t, q, `\x`, "not printable ASCII")
	return q
}

// start starts the process (again, after a kill) with the same config.
func (r *authRun) start() {
	t := r.t
	cmd := exec.Command(kuberunnerBinary(t), "run", "--config", r.config)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+clustertest.Cluster(t).KubeconfigPath())
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	r.cmd = cmd
	r.outs = append(r.outs, out)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	require.Eventually(t, func() bool { _, err := r.scrape(); return err == nil }, 30*time.Second, 50*time.Millisecond,
		"kuberunner run never served /metrics:\n%s", out.String())
}

func (r *authRun) out() string { return r.outs[len(r.outs)-1].String() }

func (r *authRun) scrape() (string, error) {
	resp, err := http.Get(r.metrics)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

func (r *authRun) enqueue(job common.Job) int64 {
	id := r.srv.Enqueue(job)
	r.ids = append(r.ids, id)
	// The coordinator's default token (Enqueue), which the job's log masks.
	r.secrets = append(r.secrets, fmt.Sprintf("job-token-%d", id))
	return id
}

func (r *authRun) finished(id int64) coordinator.JobRecord {
	return waitCompleted(r.t, r.srv, id)
}

// stop ends the process with SIGTERM and waits for it.
func (r *authRun) stop() {
	require.NoError(r.t, r.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(r.t, 0, waitExit(r.t, r.cmd))
}

// requireNoSecrets scans every output of the test — each process's log,
// each job's trace, the namespace's events, the pods as the API server
// held them and /metrics — for the registry passwords, their auth values,
// wrong passwords and the job tokens.
func (r *authRun) requireNoSecrets() {
	t := r.t
	t.Helper()
	outputs := map[string]string{}
	for i, o := range r.outs {
		outputs[fmt.Sprintf("kuberunner run #%d", i+1)] = o.String()
	}
	for _, id := range r.ids {
		rec, _ := r.srv.Job(id)
		outputs[fmt.Sprintf("trace of job %d", id)] = string(rec.Trace)
	}
	cs, _ := clustertest.Client(t)
	events, err := cs.CoreV1().Events(r.ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	raw, err := json.Marshal(events.Items)
	require.NoError(t, err)
	outputs["events"] = string(raw)
	outputs["pods"] = r.pods.JSON()
	if r.cmd.ProcessState == nil {
		metrics, err := r.scrape()
		require.NoError(t, err)
		outputs["/metrics"] = metrics
	}
	for what, text := range outputs {
		for _, s := range r.secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds a secret (%d bytes, starting %q)", what, len(s), s[:3])
			}
		}
	}
	t.Logf("scanned %d outputs for %d secrets", len(outputs), len(r.secrets))
}

// authSecrets are the secrets of the authenticated registries' accounts as
// they could leak: each password, a wrong one the tests use, and the auth
// values (base64 of user:password, with and without padding).
func authSecrets(t *testing.T) []string {
	var out []string
	for _, u := range append(clustertest.AuthUsers(t), wrongUser(t)) {
		auth := base64.StdEncoding.EncodeToString([]byte(u.Username + ":" + u.Password))
		out = append(out, u.Password, auth, strings.TrimRight(auth, "="))
	}
	return out
}

// wrongUser is the first account with a wrong password.
func wrongUser(t *testing.T) localcluster.RegistryUser {
	u := clustertest.AuthUsers(t)[0]
	return localcluster.RegistryUser{Username: u.Username, Password: u.Password + "-wrong"}
}

// payloadCredentials are the job payload's credentials for hosts, as
// GitLab sends them for $CI_REGISTRY.
func payloadCredentials(u localcluster.RegistryUser, hosts ...string) []common.Credentials {
	var out []common.Credentials
	for _, h := range hosts {
		out = append(out, common.Credentials{Type: common.CredentialsTypeRegistry, URL: h, Username: u.Username, Password: u.Password})
	}
	return out
}

// privateImage pushes a busybox image that only host serves, and takes it
// off the node when the test ends: the node must not hold it for a later
// test that expects a pull.
func privateImage(t *testing.T, host, base string) string {
	t.Helper()
	img := clustertest.Push(t, clustertest.UniqueImageOn(t, host, base))
	forgetOnNode(t, img)
	return img
}

func forgetOnNode(t *testing.T, img string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := clustertest.Cluster(t).UncacheImage(ctx, img); err != nil {
			t.Logf("uncache %s: %v", img, err)
		}
	})
}

// privateJob runs script in image with the given pull policies.
func privateJob(image string, policies common.PullPolicies, script ...string) common.Job {
	job := daemonJob(script...)
	job.Image = common.Image{Name: image, PullPolicies: policies}
	// As GitLab sends them: a reason GitLab does not list is reported as
	// runner_system_failure.
	job.Features.FailureReasons = []string{"script_failure", "runner_system_failure", "image_pull_failure", "job_execution_timeout"}
	return job
}

// pullSecretNames are a pod's imagePullSecrets.
func pullSecretNames(p *corev1.Pod) []string {
	var out []string
	for _, s := range p.Spec.ImagePullSecrets {
		out = append(out, s.Name)
	}
	return out
}

// requireNoCredentialSecret waits until the namespace holds no job Secret
// of kuberunner: the registry Secret goes with the job.
func requireNoCredentialSecret(t *testing.T, ns string) {
	t.Helper()
	cs, _ := clustertest.Client(t)
	var left []string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		secrets, err := cs.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"})
		require.NoError(t, err)
		left = left[:0]
		for _, s := range secrets.Items {
			left = append(left, s.Name+" ("+string(s.Type)+")")
		}
		if len(left) == 0 {
			return
		}
	}
	t.Errorf("job secrets left in %s: %v", ns, left)
}

// jobSecrets are kuberunner's registry Secrets in ns now.
func jobSecrets(t *testing.T, ns string) []corev1.Secret {
	cs, _ := clustertest.Client(t)
	secrets, err := cs.CoreV1().Secrets(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"})
	require.NoError(t, err)
	var out []corev1.Secret
	for _, s := range secrets.Items {
		if s.Type == jobSecretType {
			out = append(out, s)
		}
	}
	return out
}

// Must show 1: a job whose image is only in a registry that wants
// credentials succeeds with each source of credentials, on the basic-auth
// and on the token-auth registry; the same job without credentials fails
// as image_pull_failure, and its message says that no credentials were
// sent for that registry. Every pod names the job's Secret (or the
// configured one), and no credential Secret is left after the job.
func TestRegistryAuthSources(t *testing.T) {
	users := clustertest.AuthUsers(t)
	hosts := []string{basicHost, tokenHost}
	tests := []struct {
		name string
		opts authRunOptions
		// prepare runs in the namespace before the jobs (a Secret for
		// image_pull_secrets).
		prepare func(t *testing.T, ns string)
		job     func(common.Job) common.Job
		source  string // the build log's source; "" for none
		ok      bool
	}{
		{
			name:   "payload credentials",
			job:    func(j common.Job) common.Job { j.Credentials = payloadCredentials(users[0], hosts...); return j },
			source: "from the job payload", ok: true,
		},
		{
			name: "DOCKER_AUTH_CONFIG as a job variable",
			job: func(j common.Job) common.Job {
				j.Variables = append(j.Variables, common.JobVariable{Key: "DOCKER_AUTH_CONFIG", Value: localcluster.DockerAuthConfig(users[1], hosts...)})
				return j
			},
			source: "from DOCKER_AUTH_CONFIG (job variable)", ok: true,
		},
		{
			name:   "DOCKER_AUTH_CONFIG in the runner's environment",
			opts:   authRunOptions{env: []string{"DOCKER_AUTH_CONFIG=" + localcluster.DockerAuthConfig(users[0], hosts...)}},
			source: "from DOCKER_AUTH_CONFIG (runner environment)", ok: true,
		},
		{
			name:    "image_pull_secrets",
			opts:    authRunOptions{kube: []string{`    image_pull_secrets = ["corp-registry"]`}},
			prepare: func(t *testing.T, ns string) { clustertest.PullSecret(t, ns, "corp-registry", users[1], hosts...) },
			ok:      true,
		},
		{name: "no credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.concurrent = 2
			r := startAuthRun(t, tt.opts)
			if tt.prepare != nil {
				tt.prepare(t, r.ns)
			}
			ids := map[string]int64{}
			for _, host := range hosts {
				job := privateJob(privateImage(t, host, "auth-source"), nil, "echo private-image-ran")
				if tt.job != nil {
					job = tt.job(job)
				}
				ids[host] = r.enqueue(job)
			}
			for _, host := range hosts {
				rec := r.finished(ids[host])
				trace := string(rec.Trace)
				if !tt.ok {
					assert.Equal(t, "failed", rec.State, host)
					assert.Equal(t, "image_pull_failure", rec.FailureReason, host)
					assert.Contains(t, trace, "no credentials were sent for "+host)
					assert.NotContains(t, trace, "private-image-ran")
					continue
				}
				require.Equal(t, "success", rec.State, "%s:\n%s", host, trace)
				assert.Contains(t, trace, "private-image-ran")
				if tt.source != "" {
					assert.Contains(t, trace, "credentials for "+host+" "+tt.source)
					assert.Contains(t, trace, "Registry credentials of the job are in Secret "+r.ns+"/")
				} else {
					assert.Contains(t, trace, "image pull secrets from image_pull_secrets: corp-registry")
				}
			}
			for _, p := range r.pods.All() {
				names := pullSecretNames(p)
				switch {
				case tt.name == "image_pull_secrets":
					assert.Equal(t, []string{"corp-registry"}, names, "pod %s", p.Name)
				case tt.ok:
					require.Len(t, names, 1, "pod %s", p.Name)
					assert.Contains(t, names[0], "-registry-", "pod %s names the job's registry Secret", p.Name)
				default:
					assert.Empty(t, names, "pod %s", p.Name)
				}
			}
			requireNoCredentialSecret(t, r.ns)
			r.requireNoSecrets()
			r.stop()
		})
	}
}

// Must show 2: with the authenticated registry stopped and the image on
// the node, ["always", "if-not-present"] falls back and succeeds, and the
// if-not-present pod names the same Secret as the first. With wrong
// credentials and the image on the node, the job fails as denied, naming
// the credentials it sent, and the cached image does not run.
func TestRegistryAuthFallback(t *testing.T) {
	alwaysThenCached := common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent}
	for _, host := range []string{basicHost, tokenHost} {
		t.Run("registry stopped/"+host, func(t *testing.T) {
			users := clustertest.AuthUsers(t)
			img := clustertest.Push(t, clustertest.UniqueImageOn(t, host, "auth-down"))
			clustertest.Cache(t, img)
			r := startAuthRun(t, authRunOptions{})
			clustertest.StopAuthRegistry(t)
			job := privateJob(img, alwaysThenCached, "echo cached-image-ran")
			job.Credentials = payloadCredentials(users[0], host)
			id := r.enqueue(job)
			rec := r.finished(id)
			trace := string(rec.Trace)
			require.Equal(t, "success", rec.State, trace)
			assert.Contains(t, trace, "is unreachable")
			assert.Contains(t, trace, "credentials for "+host+" from the job payload were sent")
			assert.Contains(t, trace, fmt.Sprintf("Falling back for image %q", img))
			assert.Contains(t, trace, "cached-image-ran")

			pods := r.pods.All()
			require.Len(t, pods, 2, "the always pod and the if-not-present pod")
			first := pullSecretNames(pods[0])
			require.Len(t, first, 1)
			assert.Contains(t, first[0], "-registry-")
			assert.Equal(t, first, pullSecretNames(pods[1]), "the fallback pod names the same Secret")
			requireNoCredentialSecret(t, r.ns)
			r.requireNoSecrets()
			r.stop()
		})
		t.Run("wrong credentials/"+host, func(t *testing.T) {
			img := clustertest.Push(t, clustertest.UniqueImageOn(t, host, "auth-wrong"))
			clustertest.Cache(t, img)
			r := startAuthRun(t, authRunOptions{})
			job := privateJob(img, alwaysThenCached, "echo cached-image-ran")
			job.Credentials = payloadCredentials(wrongUser(t), host)
			id := r.enqueue(job)
			rec := r.finished(id)
			trace := string(rec.Trace)
			assert.Equal(t, "failed", rec.State)
			assert.Equal(t, "image_pull_failure", rec.FailureReason)
			assert.Contains(t, trace, "the registry denied the pull")
			assert.Contains(t, trace, "credentials for "+host+" from the job payload were sent")
			assert.NotContains(t, trace, "cached-image-ran", "the cached image must not run")
			assert.Len(t, r.pods.All(), 1, "no fallback pod")
			requireNoCredentialSecret(t, r.ns)
			r.requireNoSecrets()
			r.stop()
		})
	}
}

// Must show 3: a private helper image (token registry) and a private
// service image (basic registry) pull with the same credentials as the
// job's image, from one DOCKER_AUTH_CONFIG in the runner's environment;
// the service's env in the pod spec does not get that variable (the
// scan reads the pods).
func TestRegistryAuthHelperAndService(t *testing.T) {
	users := clustertest.AuthUsers(t)
	clustertest.NeedAuthRegistry(t)
	helper := clustertest.UniqueImageOn(t, tokenHost, "auth-helper")
	clustertest.PushHelper(t, helper, kuberunnerBinary(t))
	helper = localcluster.ImageRef(helper)
	forgetOnNode(t, helper)
	build := privateImage(t, basicHost, "auth-build")
	service := privateImage(t, basicHost, "auth-service")

	r := startAuthRun(t, authRunOptions{helper: helper, env: []string{"DOCKER_AUTH_CONFIG=" + localcluster.DockerAuthConfig(users[1], basicHost, tokenHost)}})
	job := privateJob(build, nil, "echo build-ran-beside-the-private-service")
	job.Services = []common.Image{{Name: service, Alias: "private-svc", Command: []string{"sleep", "300"}}}
	id := r.enqueue(job)
	rec := r.finished(id)
	trace := string(rec.Trace)
	require.Equal(t, "success", rec.State, trace)
	assert.Contains(t, trace, "build-ran-beside-the-private-service")
	for _, host := range []string{basicHost, tokenHost} {
		assert.Contains(t, trace, "credentials for "+host+" from DOCKER_AUTH_CONFIG (runner environment)")
	}
	pods := r.pods.All()
	require.Len(t, pods, 1)
	images := map[string]string{}
	for _, c := range pods[0].Spec.Containers {
		images[c.Name] = c.Image
	}
	assert.Equal(t, helper, images["helper"])
	assert.Equal(t, service, images["svc-0"])
	for _, c := range pods[0].Spec.Containers {
		for _, e := range c.Env {
			assert.NotEqual(t, "DOCKER_AUTH_CONFIG", e.Name, "container %s", c.Name)
		}
	}
	require.Len(t, pullSecretNames(pods[0]), 1)
	requireNoCredentialSecret(t, r.ns)
	r.requireNoSecrets()
	r.stop()
}

// Must show 4: two jobs at once with different credentials: each pod
// names only its own Secret, which holds only its own job's account.
func TestRegistryAuthConcurrentJobs(t *testing.T) {
	users := clustertest.AuthUsers(t)
	r := startAuthRun(t, authRunOptions{concurrent: 2})
	ids := map[string]int64{}
	for i, u := range users[:2] {
		job := privateJob(privateImage(t, basicHost, fmt.Sprintf("auth-concurrent-%d", i)), nil, "echo started", "sleep 30", "echo done")
		job.Credentials = payloadCredentials(u, basicHost)
		ids[u.Username] = r.enqueue(job)
	}
	for _, id := range ids {
		waitTrace(t, r.srv, id, "started")
	}

	// Both jobs run now: each pod's Secret is that job's.
	cs, _ := clustertest.Client(t)
	pods, err := cs.CoreV1().Pods(r.ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"})
	require.NoError(t, err)
	require.Len(t, pods.Items, 2)
	secrets := map[string]corev1.Secret{}
	for _, s := range jobSecrets(t, r.ns) {
		secrets[s.Name] = s
	}
	require.Len(t, secrets, 2, "one registry Secret per job")
	var named []string
	for _, p := range pods.Items {
		names := pullSecretNames(&p)
		require.Len(t, names, 1, "pod %s names only its own Secret", p.Name)
		s, ok := secrets[names[0]]
		require.True(t, ok, "pod %s names %s, not a job Secret", p.Name, names[0])
		assert.Equal(t, p.Labels["kuberunner.io/job"], s.Labels["kuberunner.io/job"], "pod %s names the Secret of its own job", p.Name)
		var cfg struct {
			Auths map[string]struct{ Username string } `json:"auths"`
		}
		require.NoError(t, json.Unmarshal(s.Data[corev1.DockerConfigJsonKey], &cfg))
		require.Len(t, cfg.Auths, 1)
		id, err := strconv.ParseInt(p.Labels["kuberunner.io/job-id"], 10, 64)
		require.NoError(t, err)
		assert.Equal(t, id, ids[cfg.Auths[basicHost].Username], "the Secret of job %d holds that job's account", id)
		named = append(named, names[0])
	}
	assert.NotEqual(t, named[0], named[1])

	for _, id := range ids {
		rec := r.finished(id)
		assert.Equal(t, "success", rec.State, string(rec.Trace))
	}
	requireNoCredentialSecret(t, r.ns)
	r.requireNoSecrets()
	r.stop()
}

// Must show 5: after a normal end, a cancel, and a SIGKILL plus a restart
// (once the objects have expired), no credential Secret is left.
func TestRegistryAuthSecretLifetime(t *testing.T) {
	t.Run("normal end", func(t *testing.T) {
		users := clustertest.AuthUsers(t)
		r := startAuthRun(t, authRunOptions{})
		job := privateJob(privateImage(t, basicHost, "auth-end"), nil, "echo done")
		job.Credentials = payloadCredentials(users[0], basicHost)
		rec := r.finished(r.enqueue(job))
		require.Equal(t, "success", rec.State, string(rec.Trace))
		requireNoCredentialSecret(t, r.ns)
		r.requireNoSecrets()
		r.stop()
	})
	t.Run("cancel", func(t *testing.T) {
		users := clustertest.AuthUsers(t)
		r := startAuthRun(t, authRunOptions{})
		job := privateJob(privateImage(t, basicHost, "auth-cancel"), nil, "echo started", "sleep 300")
		job.Credentials = payloadCredentials(users[0], basicHost)
		id := r.enqueue(job)
		waitTrace(t, r.srv, id, "started")
		require.Len(t, jobSecrets(t, r.ns), 1, "the registry Secret while the job runs")
		r.srv.SetJobStatus(id, "canceled", 0)
		rec := r.finished(id)
		assert.Equal(t, "failed", rec.State)
		requireNoCredentialSecret(t, r.ns)
		r.requireNoSecrets()
		r.stop()
	})
	t.Run("SIGKILL and restart", func(t *testing.T) {
		users := clustertest.AuthUsers(t)
		r := startAuthRun(t, authRunOptions{})
		img := privateImage(t, basicHost, "auth-kill")
		// On the node already, so that the job's short timeout is not
		// spent pulling: the kill must come while the job runs. The job
		// still has its registry Secret.
		clustertest.Cache(t, img)
		job := privateJob(img, nil, "echo started", "sleep 300")
		job.Credentials = payloadCredentials(users[0], basicHost)
		// A short timeout, so that the objects expire within the test.
		job.Timeout = 10 * time.Second
		id := r.enqueue(job)
		waitTrace(t, r.srv, id, "started")
		metrics, err := r.scrape()
		require.NoError(t, err)
		require.NoError(t, r.cmd.Process.Signal(syscall.SIGKILL))
		waitExit(t, r.cmd)

		left := jobSecrets(t, r.ns)
		require.Len(t, left, 1, "the killed run's registry Secret is left")
		s := left[0]
		assert.Equal(t, "it", s.Labels["kuberunner.io/runner"])
		assert.NotEmpty(t, s.Labels["kuberunner.io/job"])
		expires, err := time.Parse(time.RFC3339, s.Annotations["kuberunner.io/expires-at"])
		require.NoError(t, err, "the registry Secret's expiry")

		time.Sleep(time.Until(expires) + time.Second)
		r.start()
		require.Eventually(t, func() bool { return strings.Contains(r.out(), "Swept 3 expired object(s)") }, time.Minute, 50*time.Millisecond,
			"the pod, the variables Secret and the registry Secret:\n%s", r.out())
		assert.Contains(t, r.out(), "secret "+r.ns+"/"+s.Name)
		requireNoCredentialSecret(t, r.ns)
		requireNoJobObjects(t, r.ns)
		r.requireNoSecrets()
		for _, sec := range r.secrets {
			assert.NotContains(t, metrics, sec, "/metrics before the kill")
		}
		r.stop()
	})
}

// The scan itself finds what it looks for: a trace that prints the
// DOCKER_AUTH_CONFIG it was given holds the auth value, so a leak would
// not go unseen. The script prints it base64-encoded once more, so that
// the build log's masking (which does not know this value) cannot be what
// hides it, and the test decodes it back.
func TestRegistryAuthScanSeesALeak(t *testing.T) {
	users := clustertest.AuthUsers(t)
	r := startAuthRun(t, authRunOptions{})
	job := daemonJob(`printf '%s' "$DOCKER_AUTH_CONFIG" | base64 | tr -d '\n'; echo`)
	job.Variables = common.JobVariables{{Key: "DOCKER_AUTH_CONFIG", Value: localcluster.DockerAuthConfig(users[0], basicHost)}}
	rec := r.finished(r.enqueue(job))
	require.Equal(t, "success", rec.State, string(rec.Trace))
	var printed string
	for _, line := range strings.Split(string(rec.Trace), "\n") {
		if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line)); err == nil && strings.HasPrefix(string(b), `{"auths"`) {
			printed = string(b)
		}
	}
	require.NotEmpty(t, printed, "the script printed the value")
	found := slices.ContainsFunc(r.secrets, func(s string) bool { return strings.Contains(printed, s) })
	assert.True(t, found, "the scan's list has the auth value of the account")
	r.stop()
}
