package kubeapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestAPIUnavailable(t *testing.T) {
	pods := schema.GroupResource{Resource: "pods"}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	abnormal := fmt.Errorf("error reading from error stream: %w", fmt.Errorf("next reader: %w", &websocket.CloseError{Code: websocket.CloseAbnormalClosure}))
	for _, tc := range []struct {
		name              string
		err               error
		unavailable, lost bool
	}{
		{"nil", nil, false, false},
		{"connection refused (restart)", fmt.Errorf("delete: %w", refused), true, false},
		{"no answer in time", fmt.Errorf("%w within 30s", ErrAPINoAnswer), true, false},
		{"503", apierrors.NewServiceUnavailable("starting"), true, false},
		{"429", apierrors.NewTooManyRequests("slow down", 1), true, false},
		{"500", apierrors.NewInternalError(errors.New("etcd")), true, false},
		{"exec stream cut (websocket 1006)", abnormal, true, true},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true, true},
		{"403 stays a refusal", apierrors.NewForbidden(pods, "x", errors.New("no")), false, false},
		{"404 stays a refusal", apierrors.NewNotFound(pods, "x"), false, false},
		{"a clean websocket close is no loss", &websocket.CloseError{Code: websocket.CloseNormalClosure}, false, false},
		{"cancelled by us", context.Canceled, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.unavailable, Unavailable(tc.err), "apiUnavailable")
			if tc.err != nil {
				assert.Equal(t, tc.lost, StreamLost(tc.err), "streamLost")
			}
		})
	}
}

func TestRetryUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	t.Run("waits out a restart", func(t *testing.T) {
		n := 0
		err := RetryUnavailable(context.Background(), func(context.Context) error {
			if n++; n < 3 {
				return refused
			}
			return nil
		})
		assert.NoError(t, err)
		assert.Equal(t, 3, n)
	})
	t.Run("a refusal is final", func(t *testing.T) {
		n := 0
		forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "x", errors.New("no"))
		err := RetryUnavailable(context.Background(), func(context.Context) error { n++; return forbidden })
		assert.True(t, apierrors.IsForbidden(err))
		assert.Equal(t, 1, n)
	})
	t.Run("a silent server is given up after two unanswered tries", func(t *testing.T) {
		n := 0
		silent := fmt.Errorf("%w within 30s: DELETE /api/v1/namespaces/ci/pods", ErrAPINoAnswer)
		err := RetryUnavailable(context.Background(), func(context.Context) error { n++; return silent })
		assert.ErrorIs(t, err, ErrAPINoAnswer)
		assert.Equal(t, silentTries, n)
	})
	t.Run("a refused connection in between starts the count again", func(t *testing.T) {
		n := 0
		silent := fmt.Errorf("%w within 30s", ErrAPINoAnswer)
		answers := []error{silent, refused, silent, refused, nil}
		err := RetryUnavailable(context.Background(), func(context.Context) error { n++; return answers[n-1] })
		assert.NoError(t, err)
		assert.Equal(t, len(answers), n)
	})
	t.Run("bounded by the context, returning the last error", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		err := RetryUnavailable(ctx, func(context.Context) error {
			if n++; n == 2 {
				cancel()
			}
			return refused
		})
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	})
}
