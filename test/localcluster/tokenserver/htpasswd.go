package tokenserver

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// hashCost is bcrypt's cheapest: distribution checks the hash on every
// request of a pull, and this file sits beside the plain passwords in the
// cluster's state dir anyway, so a slow hash would buy nothing but slow pulls.
const hashCost = bcrypt.MinCost

// Htpasswd renders users as an htpasswd file with bcrypt hashes, the only
// kind distribution's htpasswd auth accepts.
func Htpasswd(users []User) ([]byte, error) {
	var b bytes.Buffer
	for _, u := range users {
		if u.Username == "" || strings.ContainsAny(u.Username, ":\r\n") {
			return nil, fmt.Errorf("htpasswd: user name %q is empty or holds ':' or a line break", u.Username)
		}
		h, err := bcrypt.GenerateFromPassword([]byte(u.Password), hashCost)
		if err != nil {
			return nil, fmt.Errorf("htpasswd: hash the password of %s: %w", u.Username, err)
		}
		fmt.Fprintf(&b, "%s:%s\n", u.Username, h)
	}
	return b.Bytes(), nil
}

// Accounts are the users of an htpasswd file and their hashes.
type Accounts map[string][]byte

// ParseHtpasswd reads an htpasswd file. Blank lines and # comments are
// skipped; a line without a colon or with a hash other than bcrypt's is an
// error, since distribution would ignore that user and the two would disagree.
func ParseHtpasswd(data []byte) (Accounts, error) {
	acc := Accounts{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		if !ok || user == "" || !strings.HasPrefix(hash, "$2") {
			return nil, fmt.Errorf("htpasswd line %d: want user:bcrypt-hash", n)
		}
		acc[user] = []byte(hash)
	}
	return acc, sc.Err()
}

// Verify reports whether password is username's.
func (a Accounts) Verify(username, password string) bool {
	hash, ok := a[username]
	return ok && bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}
