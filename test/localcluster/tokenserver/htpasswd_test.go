package tokenserver

import (
	"fmt"
	"strings"
	"testing"
)

func TestHtpasswdVerifiesOnlyTheRightPassword(t *testing.T) {
	users := []User{{"alice", "s3cret-a"}, {"bob", "s3cret:b with spaces"}}
	data, err := Htpasswd(users)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if !strings.Contains(line, ":$2a$") {
			t.Errorf("line %q is not a bcrypt entry", line)
		}
	}
	acc, err := ParseHtpasswd(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user, password string
		want           bool
	}{
		{"alice", "s3cret-a", true},
		{"bob", "s3cret:b with spaces", true},
		{"alice", "s3cret:b with spaces", false},
		{"alice", "", false},
		{"carol", "s3cret-a", false},
	} {
		t.Run(tc.user+"/"+tc.password, func(t *testing.T) {
			if got := acc.Verify(tc.user, tc.password); got != tc.want {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHtpasswdRejects(t *testing.T) {
	for _, name := range []string{"", "a:b", "a\nb"} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			if _, err := Htpasswd([]User{{name, "pw"}}); err == nil {
				t.Error("no error")
			}
		})
	}
	for name, data := range map[string]string{
		"no colon":   "alice\n",
		"not bcrypt": "alice:{SHA}abc\n",
		"empty user": ":$2a$04$abc\n",
		"apr1 (md5)": "alice:$apr1$x$y\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseHtpasswd([]byte(data)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestParseHtpasswdSkipsCommentsAndBlankLines(t *testing.T) {
	acc, err := ParseHtpasswd([]byte("# users\n\nalice:$2a$04$abc\n"))
	if err != nil || len(acc) != 1 {
		t.Fatalf("got %v, %v", acc, err)
	}
}

func TestUserPrintsNoPassword(t *testing.T) {
	u := User{"alice", "pw-never-printed"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, u); strings.Contains(s, u.Password) || !strings.Contains(s, "alice") {
			t.Errorf("%s: %s", f, s)
		}
	}
}
