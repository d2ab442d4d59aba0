package tokenserver

import "fmt"

// User is an account of the authenticated registries. Its String and
// GoString name the user only, so that a test log printing one never shows
// the password.
type User struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (u User) String() string { return u.Username }

// GoString keeps %#v from printing the password too.
func (u User) GoString() string { return fmt.Sprintf("tokenserver.User{Username: %q}", u.Username) }
