package cache

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// URLLifetime is how long a signed URL is valid. The runner signs right
// before the helper uses the URLs, and a transfer only has to start
// within it; an hour covers archiving a large cache before its upload.
const URLLifetime = time.Hour

// Signer signs URLs for one bucket with the runner's credentials. The
// URLs go to the job pod; the credentials never do.
type Signer interface {
	// GetURL is a URL that downloads object.
	GetURL(ctx context.Context, object string) (*url.URL, error)
	// PutURL is a URL that uploads object.
	PutURL(ctx context.Context, object string) (*url.URL, error)
	// UploadHeaders are the headers an upload to a PutURL sends, which
	// its signature covers (the server-side encryption); nil for none.
	UploadHeaders() http.Header
}
