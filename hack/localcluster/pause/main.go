// Command pause is the pod sandbox's process, built into the local cluster's
// sandbox image (127.0.0.1:5000/pause:3.10) because the cluster has no
// internet to fetch registry.k8s.io/pause. Like the upstream one it does
// nothing but hold the pod's namespaces, reap orphaned children (it is PID 1
// when the pod shares its PID namespace) and exit on SIGTERM or SIGINT.
// Build it with CGO_ENABLED=0 so the image needs no libc.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	child := make(chan os.Signal, 1)
	signal.Notify(child, syscall.SIGCHLD)
	for {
		select {
		case <-stop:
			return
		case <-child:
			for {
				pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
		}
	}
}
