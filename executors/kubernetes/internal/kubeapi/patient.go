package kubeapi

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// Patient wraps an informer's list and watch so that an API server which
// cannot serve for now (a restart: connections refused for seconds) is
// waited out inside the call, with pauses of at most a second. Handed the
// error instead, the reflector backs off by itself, doubling on every
// refused call of the restart up to a minute, and every job of the
// process stays blind to its pods that long after the API server is back.
func Patient(lw *cache.ListWatch) *cache.ListWatch {
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			var out runtime.Object
			err := RetryUnavailableWith(ctx, reconnectRetry, func(ctx context.Context) error {
				var err error
				out, err = lw.ListWithContext(ctx, o)
				return err
			})
			return out, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			var out watch.Interface
			err := RetryUnavailableWith(ctx, reconnectRetry, func(ctx context.Context) error {
				var err error
				out, err = lw.WatchWithContext(ctx, o)
				return err
			})
			return out, err
		},
	}
}
