package registryauth

import "fmt"

// allowed is the shape DOCKER_AUTH_CONFIG must have, for error messages.
const allowed = `{"auths": {"registry.example.com": {"auth": "<base64 of user:password>"}}}, ` +
	`or "username" and "password" in place of "auth"`

// ConfigError is a credential source that cannot be used. The message names
// the source, the entry (a registry key or URL) and what is wrong, never
// the value: a JSON error's offset, not the text around it.
type ConfigError struct {
	Source Source
	// Entry is the auths key or payload URL at fault; "" for the whole value.
	Entry  string
	Reason string
}

func (e *ConfigError) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("%s %s; allowed: %s", e.Source, e.Reason, allowed)
	}
	return fmt.Sprintf("%s: entry %q %s", e.Source, e.Entry, e.Reason)
}

// ImageError is an image name that is not a valid reference, so no
// registry can be matched to it.
type ImageError struct {
	Image string
	Err   error
}

func (e *ImageError) Error() string {
	return fmt.Sprintf("image %q is not a valid image reference: %v", e.Image, e.Err)
}

func (e *ImageError) Unwrap() error { return e.Err }
