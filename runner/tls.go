package runner

import (
	"fmt"
	"net/http"

	"kuberunner/helpers/clienttls"
)

// runnerHTTPClient is base for one runner: its transport trusts the
// runner's tls-ca-file besides the system's roots and presents its client
// certificate, when set, and every request is counted. Runners with other
// TLS files each get their own transport, so one runner's CA never
// vouches for another's GitLab. counting labels the requests with the runner.
func runnerHTTPClient(base *http.Client, m clienttls.Material, counting countingTransport) (*http.Client, error) {
	hc := *base
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	if !m.IsZero() {
		tr, ok := next.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("tls-* cannot be applied to an HTTP transport of type %T", next)
		}
		withTLS, err := m.Transport(tr)
		if err != nil {
			return nil, err
		}
		next = withTLS
	}
	counting.next = next
	hc.Transport = counting
	return &hc, nil
}
