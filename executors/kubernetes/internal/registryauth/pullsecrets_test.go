package registryauth

import (
	"reflect"
	"strings"
	"testing"
)

func TestPlanPullSecrets(t *testing.T) {
	withCreds, err := Resolve(Inputs{Payload: payload("r.example.com", "gitlab-ci-token", "tok")}, []string{"r.example.com/app"})
	if err != nil {
		t.Fatal(err)
	}
	none, _ := Resolve(Inputs{}, []string{"r.example.com/app"})
	for _, tc := range []struct {
		name       string
		r          Resolution
		configured []string
		useSA      bool
		jobSecret  bool
		names      []string
		logHas     []string
	}{
		{"credentials: the job's Secret after image_pull_secrets", withCreds, []string{"corp", "", "corp", "team"}, false,
			true, []string{"corp", "team", "job-secret"},
			[]string{"image pull secrets from image_pull_secrets: corp, team", "credentials for r.example.com from the job payload"}},
		{"credentials only", withCreds, nil, false, true, []string{"job-secret"}, []string{"credentials for r.example.com from the job payload"}},
		{"no credentials: no Secret", none, []string{"corp"}, false, false, []string{"corp"}, []string{"image_pull_secrets: corp"}},
		{"nothing", none, nil, false, false, nil, nil},
		{"service account: no pull secrets at all", withCreds, []string{"corp"}, true, false, nil,
			[]string{"use_service_account_image_pull_secrets", "not used for that: credentials for r.example.com from the job payload"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := PlanPullSecrets(tc.r, tc.configured, tc.useSA, "job-secret")
			if p.JobSecret != tc.jobSecret {
				t.Errorf("JobSecret = %v", p.JobSecret)
			}
			var names []string
			for _, n := range p.PullSecrets {
				names = append(names, n.Name)
			}
			if !reflect.DeepEqual(names, tc.names) {
				t.Errorf("pull secrets %v, want %v", names, tc.names)
			}
			log := strings.Join(p.Log, "\n")
			for _, want := range tc.logHas {
				if !strings.Contains(log, want) {
					t.Errorf("log %q lacks %q", log, want)
				}
			}
		})
	}
}
