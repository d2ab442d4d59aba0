package common

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// ImageExecutorOptions is the payload's executor_opts of an image or a
// service: .gitlab-ci.yml's image:docker: and image:kubernetes:. Only
// user is read; it names who the container runs as.
type ImageExecutorOptions struct {
	Docker     ImageUserOptions `json:"docker,omitzero"`
	Kubernetes ImageUserOptions `json:"kubernetes,omitzero"`
}

// ImageUserOptions is one executor's table of executor_opts.
type ImageUserOptions struct {
	User ImageUser `json:"user,omitempty"`
}

// ImageUser is a user as the payload writes it: GitLab sends what the
// pipeline file has, "1000:1000" as a string or 1000 as a number.
type ImageUser string

// UnmarshalJSON takes a string or an integer; anything else is an error
// that says which field it is.
func (u *ImageUser) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*u = ImageUser(s)
		return nil
	}
	var n int64
	if err := json.Unmarshal(data, &n); err == nil {
		*u = ImageUser(strconv.FormatInt(n, 10))
		return nil
	}
	return fmt.Errorf("executor_opts user: want a string such as \"1000:1000\" or a whole number, not %s", jsonKind(data))
}

// jsonKind names what a JSON value is, for a message that does not echo
// the value itself.
func jsonKind(data []byte) string {
	switch data[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		return "true or false"
	}
	return "a number with a fraction or out of range"
}
