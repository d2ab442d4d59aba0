# kuberunner: the two commands a new user needs are `make demo` and `make test`.
GO        ?= go
BIN       ?= kuberunner
CLUSTER   ?= $(GO) run ./hack/localcluster
export KUBERUNNER_CLUSTER_DIR ?= $(CURDIR)/.cluster

.PHONY: build test unit-test integration-test lint fuzz fuzz-short deps cluster-up cluster-down cluster-status demo bench helper-image runner-image debian-image fault-test soak helm

build:
	$(GO) build -trimpath -o $(BIN) .

# Every test: unit tests, then the real local cluster (started if needed), then
# the integration tests against it.
test: unit-test integration-test

# A few unit tests read the Debian packages' files (busybox for the image
# builder), so they too start from `deps`; test/helm needs helm.
unit-test: deps helm
	$(GO) test -race -count=1 ./...
	$(FUZZ_SHORT)

# commands/ holds most tests through the binary (about 20 minutes on 2
# cores), hence the package timeout well above it.
integration-test: cluster-up helper-image debian-image helm
	$(GO) test -race -count=1 -tags integration -timeout 50m ./...
	$(FAULTS)

# Fault tests stop the API server and the kubelet under a running job, which
# would disturb every other test: they run alone, one at a time, after the
# rest (build tag faults; docs/reliability.md).
FAULTS = $(GO) test -race -count=1 -p 1 -tags integration,faults -run '^TestFault' -timeout 30m ./runner/ ./commands/
fault-test: cluster-up helper-image debian-image
	$(FAULTS)

# 300 jobs through `kuberunner run` under random faults; outside `make test`
# because it takes minutes. Figures: docs/reliability.md.
SOAK_JOBS ?= 300
soak: cluster-up helper-image
	SOAK_JOBS=$(SOAK_JOBS) $(GO) test -count=1 -tags integration,soak -run '^TestSoak$$' -timeout 60m -v ./commands/

# staticcheck at a pinned version: go run fetches it from the module proxy
# and builds it (the binary is cached), so nothing is installed by hand and
# the project's go.mod is not touched. v0.8.2 is staticcheck 2026.2.2, which
# needs Go 1.26.
STATICCHECK_VERSION = v0.8.2
STATICCHECK = $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags integration ./...
	$(GO) vet -tags integration,faults,soak ./...
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags integration ./...
	$(STATICCHECK) -tags integration,faults,soak ./...

# The Debian packages the cluster runs (etcd, containerd, runc, CNI, the
# registry, busybox). Installed when missing; a no-op in well under a second
# when they are all there. Every target that starts the cluster depends on it.
deps:
	@bash hack/install-deps.sh

cluster-up: deps
	$(CLUSTER) up

cluster-down:
	$(CLUSTER) down

cluster-status:
	$(CLUSTER) status

# The helper image is the kuberunner binary itself, statically linked, so it
# is rebuilt from the tree under test and pushed to the local registry, with
# busybox (sh for the get_sources hooks) and the CA bundle.
helper-image:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(KUBERUNNER_CLUSTER_DIR)/bin/kuberunner-helper .
	$(CLUSTER) push-helper $(KUBERUNNER_CLUSTER_DIR)/bin/kuberunner-helper

# The Debian test image (bash, apt, useradd, su), for the tests of what real
# pipelines do that busybox cannot: its rootfs is built once per machine with
# debootstrap into the cache outside the checkout (about a minute), then
# pushed once per registry.
KUBERUNNER_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kuberunner
DEBIAN_ROOTFS = $(KUBERUNNER_CACHE)/debian/bookworm-minbase.tar
debian-image: cluster-up
	@mkdir -p $(dir $(DEBIAN_ROOTFS))
	bash hack/debian-rootfs.sh $(DEBIAN_ROOTFS)
	$(CLUSTER) push-debian $(DEBIAN_ROOTFS)

# helm, which test/helm lints, renders and installs deploy/helm/kuberunner
# with: built from the Go module pinned in hack/helmbuild into the cache
# outside the checkout, once per version (a few minutes cold), so that the
# tests never wait for it inside go test's timeout. The tests run the same
# script, which returns at once when the binary is there.
helm:
	@bash hack/build-helm.sh >/dev/null

# The runner's image (deploy/ and the Helm chart run it): the same static binary, entrypoint
# `kuberunner run`, pushed as 127.0.0.1:5000/kuberunner:latest.
runner-image:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(KUBERUNNER_CLUSTER_DIR)/bin/kuberunner-runner .
	$(CLUSTER) push-runner $(KUBERUNNER_CLUSTER_DIR)/bin/kuberunner-runner

# Registry controls of the local cluster (see docs/testing.md). IMAGE may be
# short: IMAGE=foo:v1 means 127.0.0.1:5000/foo:v1.
.PHONY: registry-stop registry-start registry-push registry-delete registry-cache registry-uncache registry-images
registry-stop:
	$(CLUSTER) registry-stop

registry-start:
	$(CLUSTER) registry-start

registry-push:
	$(CLUSTER) push $(IMAGE)

registry-delete:
	$(CLUSTER) registry-delete $(IMAGE)

registry-cache:
	$(CLUSTER) cache $(IMAGE)

registry-uncache:
	$(CLUSTER) uncache $(IMAGE)

registry-images:
	$(CLUSTER) images

# The authenticated registries (127.0.0.1:5008 basic auth, :5009 token auth):
# stop and start all of them at once; push with `make registry-push
# IMAGE=127.0.0.1:5008/foo:v1` (the harness authenticates by itself).
.PHONY: auth-registry-stop auth-registry-start auth-registry-config
auth-registry-stop:
	$(CLUSTER) auth-registry-stop

auth-registry-start:
	$(CLUSTER) auth-registry-start

# Prints a DOCKER_AUTH_CONFIG for both, as the cluster's first account.
auth-registry-config:
	@$(CLUSTER) auth-registry-config

# The S3 server of the distributed cache (MinIO, built by cluster-up into
# the cache outside the checkout): stop, start, and its address and
# credentials as shell assignments (eval "$$(make -s s3-env)").
.PHONY: s3-stop s3-start s3-env
s3-stop:
	$(CLUSTER) s3-stop

s3-start:
	$(CLUSTER) s3-start

s3-env:
	@$(CLUSTER) s3-env

# The main job: the reference scenario on the local cluster, with its build
# log. DEMO_CACHED=0 shows the failure path.
demo: deps
	bash hack/demo.sh

# Reaction time and API requests per job on the local cluster (docs/performance.md).
# Then the same through `kuberunner run`: the time GitLab sees per job, and
# 100 jobs at concurrent = 10 (throughput, RSS, goroutines, API requests),
# and the cache's save and restore against the cluster's MinIO, next to
# tar + curl.
bench: cluster-up helper-image
	$(GO) test -tags integration -run '^$$' -bench Job -benchtime 20x -timeout 30m ./executors/kubernetes/
	$(GO) test -tags integration -run '^$$' -bench BenchmarkRunJob -benchtime 20x -timeout 30m ./commands/
	$(GO) test -tags integration -run '^$$' -bench BenchmarkBreakerOutage -benchtime 10x -timeout 30m ./commands/
	$(GO) test -tags integration -run '^$$' -bench BenchmarkRunHundredJobs -benchtime 1x -timeout 30m ./commands/
	$(GO) test -run '^$$' -bench BenchmarkArtifacts -benchtime 5x -timeout 30m ./commands/
	$(GO) test -run '^$$' -bench Cache -benchtime 3x -timeout 30m ./cache/s3/

# The fuzz targets of what GitLab sends (the job payload, the headers of its
# answers) for 10 s each, one after the other (go test -fuzz takes one target
# at a time), in every unit-test run. A new input that widens coverage is
# minimised for at most 2 s, not the default minute, which would use up the
# run.
define FUZZ_SHORT
$(GO) test -run '^$$' -fuzz '^FuzzDecodeJob$$' -fuzztime 10s -fuzzminimizetime 2s ./network/
$(GO) test -run '^$$' -fuzz '^FuzzCoordinatorHeaders$$' -fuzztime 10s -fuzzminimizetime 2s ./network/
endef
fuzz-short:
	$(FUZZ_SHORT)

# Each fuzz target for FUZZTIME (go test -fuzz runs one target at a time).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeJob$$' -fuzztime $(FUZZTIME) ./network/
	$(GO) test -run '^$$' -fuzz '^FuzzCoordinatorHeaders$$' -fuzztime $(FUZZTIME) ./network/
	$(GO) test -run '^$$' -fuzz '^FuzzParseConfig$$' -fuzztime $(FUZZTIME) ./common/config/
	$(GO) test -run '^$$' -fuzz '^FuzzParsePullPolicy$$' -fuzztime $(FUZZTIME) ./common/
	$(GO) test -run '^$$' -fuzz '^FuzzMaskWriter$$' -fuzztime $(FUZZTIME) ./common/buildlog/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./common/ciyaml/
