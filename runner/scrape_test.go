package runner

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/require"
)

// sample is one series of a scrape; a histogram gives two, NAME_count
// and NAME_sum.
type sample struct {
	labels map[string]string
	value  float64
}

// scrape reads h's /metrics as an operator's Prometheus would.
func scrape(t *testing.T, h http.Handler) map[string][]sample {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(rec.Body)
	require.NoError(t, err)
	out := map[string][]sample{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch {
			case m.GetCounter() != nil:
				out[name] = append(out[name], sample{labels, m.GetCounter().GetValue()})
			case m.GetGauge() != nil:
				out[name] = append(out[name], sample{labels, m.GetGauge().GetValue()})
			case m.GetHistogram() != nil:
				out[name+"_count"] = append(out[name+"_count"], sample{labels, float64(m.GetHistogram().GetSampleCount())})
				out[name+"_sum"] = append(out[name+"_sum"], sample{labels, m.GetHistogram().GetSampleSum()})
			}
		}
	}
	return out
}

// value is the series of name whose labels hold every one of want; ok is
// false when there is none.
func value(samples map[string][]sample, name string, want map[string]string) (float64, bool) {
	for _, s := range samples[name] {
		match := true
		for k, v := range want {
			match = match && s.labels[k] == v
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}
