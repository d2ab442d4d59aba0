package podspec

// archExport sets CI_RUNNER_EXECUTABLE_ARCH in each step to the OS and
// architecture of the node the job runs on, in Go's names (linux/amd64,
// linux/arm64), as the job's own `uname` sees them.
//
// Why in the script: the node is only known once the pod is scheduled,
// after the variables Secret was created. Asking the API for the node
// would cost a request per job (the shared node informer runs only while
// a fallback steers pods), and the pod's status does not carry the
// architecture. The kernel the build container runs on is the node's, so
// uname answers for free. Machine names Go spells the same (ppc64le,
// s390x, riscv64) and any it has no name for are given as uname prints them.
const archExport = `kr_os=$(uname -s 2>/dev/null) || kr_os=unknown
kr_arch=$(uname -m 2>/dev/null) || kr_arch=unknown
case "$kr_os" in Linux) kr_os=linux ;; esac
case "$kr_arch" in
x86_64) kr_arch=amd64 ;;
aarch64|arm64) kr_arch=arm64 ;;
armv*) kr_arch=arm ;;
i?86) kr_arch=386 ;;
esac
export CI_RUNNER_EXECUTABLE_ARCH="$kr_os/$kr_arch"
unset kr_os kr_arch
`
