package registryauth

// SentFor says, for a pull failure's message, whether credentials went with
// image and from which source: "credentials for 127.0.0.1:5008 from the job
// payload were sent", or "no credentials were sent for 127.0.0.1:5008".
func (r Resolution) SentFor(image string) string {
	if c, ok := r.For(image); ok {
		return c.String() + " were sent"
	}
	registry := image
	if ref, err := parseImage(image); err == nil {
		registry = ref.host
	}
	return "no credentials were sent for " + registry
}
