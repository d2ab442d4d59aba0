package registryauth

import (
	"errors"
	"slices"
	"strings"

	"kuberunner/common"
)

// Inputs are a job's credential sources.
type Inputs struct {
	// JobAuthConfig is the job's DOCKER_AUTH_CONFIG variable; "" if none.
	JobAuthConfig string
	// RunnerAuthConfig is DOCKER_AUTH_CONFIG from the runner's
	// environment; "" if unset.
	RunnerAuthConfig string
	// Payload is the job payload's credentials.
	Payload []common.Credentials
}

// Resolution is what a job's pod needs: for each image, at most one
// credential, and each credential once.
type Resolution struct {
	// Credentials are those the job's images use, sorted by Registry.
	Credentials []Credential
	// Warnings name what was read but is not used (entries without a
	// password, credential helpers), for the build log.
	Warnings []string

	byImage map[string]Credential
}

// Resolve reads every source (an invalid one fails the job even when it is
// not needed: a broken DOCKER_AUTH_CONFIG is a mistake to report, not to
// skip) and keeps, for each image, the credential of the first source in
// Source order that has a key covering the image. Within one source the
// kubelet's order picks among covering keys: the greatest string first, so
// registry.example.com/team before registry.example.com, and a literal
// host before a glob.
func Resolve(in Inputs, images []string) (Resolution, error) {
	bySource, warnings, err := readSources(in)
	if err != nil {
		return Resolution{}, err
	}
	r := Resolution{Warnings: warnings, byImage: map[string]Credential{}}
	used := map[string]Credential{}
	for _, image := range images {
		ref, err := parseImage(image)
		if err != nil {
			return Resolution{}, err
		}
		if c, ok := pick(bySource, ref); ok {
			r.byImage[image] = c
			used[c.Registry] = c
		}
	}
	for _, k := range sortedKeys(used) {
		r.Credentials = append(r.Credentials, used[k])
	}
	return r, nil
}

// readSources parses each source, its credentials sorted the kubelet's way
// (greatest key first).
func readSources(in Inputs) (map[Source][]Credential, []string, error) {
	bySource := map[Source][]Credential{}
	var warnings []string
	var errs []error
	for _, s := range []struct {
		src   Source
		value string
	}{{JobAuthConfig, in.JobAuthConfig}, {RunnerAuthConfig, in.RunnerAuthConfig}} {
		if strings.TrimSpace(s.value) == "" {
			continue
		}
		creds, w, err := parseAuthConfig(s.value, s.src)
		errs = append(errs, err)
		bySource[s.src], warnings = creds, append(warnings, w...)
	}
	creds, w := payloadCredentials(in.Payload)
	bySource[JobPayload], warnings = creds, append(warnings, w...)
	for _, src := range sources {
		slices.SortFunc(bySource[src], func(a, b Credential) int { return strings.Compare(b.Registry, a.Registry) })
	}
	slices.Sort(warnings)
	return bySource, warnings, errors.Join(errs...)
}

// pick is the credential for ref: the first covering one in precedence order.
func pick(bySource map[Source][]Credential, ref imageRef) (Credential, bool) {
	for _, src := range sources {
		for _, c := range bySource[src] {
			if c.key.covers(ref) {
				return c, true
			}
		}
	}
	return Credential{}, false
}

// For returns the credential the pod offers for image (as given to
// Resolve), if any.
func (r Resolution) For(image string) (Credential, bool) {
	c, ok := r.byImage[image]
	return c, ok
}

// Descriptions are the build log's lines, one per credential.
func (r Resolution) Descriptions() []string {
	out := make([]string, len(r.Credentials))
	for i, c := range r.Credentials {
		out[i] = c.String()
	}
	return out
}

// String lists the credentials by registry and source.
func (r Resolution) String() string {
	if len(r.Credentials) == 0 {
		return "no registry credentials"
	}
	return strings.Join(r.Descriptions(), "; ")
}

// GoString keeps %#v from printing the secret fields.
func (r Resolution) GoString() string { return "registryauth.Resolution{" + r.String() + "}" }
