package commands

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSystemIDHint(t *testing.T) {
	readOnly := fmt.Errorf("system id: %w", &os.PathError{Op: "open", Path: "/etc/kuberunner/.runner_system_id.1", Err: syscall.EROFS})
	denied := fmt.Errorf("system id: %w", &os.PathError{Op: "open", Path: "/etc/kuberunner/x", Err: syscall.EACCES})
	tests := []struct {
		name   string
		err    error
		idFile string
		hint   bool
	}{
		{"read-only file system", readOnly, "", true},
		{"permission denied", denied, "", true},
		{"the operator named the file already", readOnly, "/var/lib/kuberunner/id", false},
		{"another error", errors.New("system id: holds junk"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := systemIDHint(tt.err, tt.idFile)
			assert.ErrorIs(t, got, tt.err)
			if tt.hint {
				assert.Contains(t, got.Error(), "--system-id-file or $KUBERUNNER_SYSTEM_ID_FILE")
			} else {
				assert.Equal(t, tt.err.Error(), got.Error())
			}
		})
	}
}
