// Command tokenserver is the local cluster's registry token service
// (package test/localcluster/tokenserver): the token registry's realm, and
// its front, passing every other request to the registry at -upstream.
// Up builds it into the cluster's bin/ and starts it like the cluster's
// other processes; it runs until SIGTERM.
//
//	tokenserver -listen ADDR -upstream URL -htpasswd FILE -key FILE -cert FILE -issuer NAME -service NAME
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"kuberunner/test/localcluster/tokenserver"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tokenserver:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "", "host:port to serve on")
	upstream := flag.String("upstream", "", "the registry's URL, for every request but tokens")
	htpasswd := flag.String("htpasswd", "", "the registries' htpasswd file")
	key := flag.String("key", "", "PEM signing key")
	cert := flag.String("cert", "", "PEM certificate of the signing key (the registry's rootcertbundle)")
	issuer := flag.String("issuer", "", "the registry's auth.token.issuer")
	service := flag.String("service", "", "the registry's auth.token.service")
	flag.Parse()
	s, err := tokenserver.Load(*htpasswd, *key, *cert, *issuer, *service)
	if err != nil {
		return err
	}
	s.Log = log.New(os.Stderr, "", log.LstdFlags)
	target, err := url.Parse(*upstream)
	if err != nil || target.Host == "" {
		return fmt.Errorf("-upstream %q: want the registry's URL, such as http://127.0.0.1:5011", *upstream)
	}
	// The Host header passes unchanged, so the registry writes upload
	// locations for this front's address, where the client goes next.
	s.Upstream = httputil.NewSingleHostReverseProxy(target)
	srv := &http.Server{Addr: *listen, Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
