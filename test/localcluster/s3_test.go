package localcluster

import (
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestS3CredentialsAndEnv(t *testing.T) {
	c := &Cluster{Dir: t.TempDir()}
	_, err := c.S3()
	require.ErrorContains(t, err, "make cluster-up")
	require.NoError(t, c.ensureS3Credentials())
	first, err := c.S3()
	require.NoError(t, err)
	require.NoError(t, c.ensureS3Credentials())
	again, err := c.S3()
	require.NoError(t, err)
	assert.Equal(t, first, again, "made once per cluster")

	assert.Equal(t, S3Bucket, first.Bucket)
	assert.True(t, strings.HasSuffix(first.Endpoint, ":"+S3Port), first.Endpoint)
	assert.Equal(t, "127.0.0.1:"+S3Port, first.LocalEndpoint)
	lines := strings.Split(strings.TrimSpace(first.Env()), "\n")
	assert.Equal(t, []string{
		"KUBERUNNER_S3_ENDPOINT='" + first.Endpoint + "'",
		"KUBERUNNER_S3_BUCKET='" + S3Bucket + "'",
		"KUBERUNNER_S3_ACCESS_KEY='" + first.AccessKey + "'",
		"KUBERUNNER_S3_SECRET_KEY='" + first.SecretKey + "'",
	}, lines)
	assert.NotContains(t, first.String(), first.SecretKey)
	assert.NotContains(t, first.String(), first.AccessKey)
}

// Before the first pod, the bridge does not exist: the endpoint is the
// address the CNI config gives it.
func TestBridgeAddress(t *testing.T) {
	addr := bridgeAddress()
	assert.NotEmpty(t, addr)
	if _, err := net.InterfaceByName(BridgeName); err != nil {
		assert.Equal(t, "10.88.0.1", addr)
	}
}
