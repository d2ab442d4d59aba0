package kubeapi

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

func TestPatientListWatch(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no"))
	for _, tc := range []struct {
		name      string
		errs      []error // answers before success
		wantCalls int
		wantErr   bool
	}{
		{"a restart is waited out", []error{refused, refused, refused}, 4, false},
		{"a refusal goes to the reflector at once", []error{forbidden}, 1, true},
		{"no error", nil, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lists, watches int
			answer := func(n int) error {
				if n <= len(tc.errs) {
					return tc.errs[n-1]
				}
				return nil
			}
			lw := Patient(&cache.ListWatch{
				ListWithContextFunc: func(context.Context, metav1.ListOptions) (runtime.Object, error) {
					lists++
					if err := answer(lists); err != nil {
						return nil, err
					}
					return &corev1.PodList{}, nil
				},
				WatchFuncWithContext: func(context.Context, metav1.ListOptions) (watch.Interface, error) {
					watches++
					if err := answer(watches); err != nil {
						return nil, err
					}
					return watch.NewEmptyWatch(), nil
				},
			})
			_, lerr := lw.ListWithContext(context.Background(), metav1.ListOptions{})
			_, werr := lw.WatchWithContext(context.Background(), metav1.ListOptions{})
			assert.Equal(t, tc.wantCalls, lists)
			assert.Equal(t, tc.wantCalls, watches)
			assert.Equal(t, tc.wantErr, lerr != nil)
			assert.Equal(t, tc.wantErr, werr != nil)
		})
	}
}
