package localcluster

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// harnessBinaries are the executables Up starts (and containerd's shims).
// The final sweep of Down kills only these, and only when their command line
// names our state dir, so an editor viewing a log there is left alone.
var harnessBinaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
	"kubelet", "containerd", "containerd-shim-runc-v2", "docker-registry", "token-server", "minio"}

// procInfo is what cleanup needs to know about one process.
type procInfo struct {
	pid, ppid int
	exe       string // base name of /proc/pid/exe
	cmdline   []string
	cgroup    string
}

func listProcs() []procInfo {
	ents, _ := os.ReadDir("/proc")
	var out []procInfo
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		stat, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		p := procInfo{pid: pid}
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
			if f := strings.Fields(string(stat[i+1:])); len(f) > 1 {
				p.ppid, _ = strconv.Atoi(f[1])
			}
		}
		exe, _ := os.Readlink(filepath.Join(dir, "exe"))
		p.exe = filepath.Base(strings.TrimSuffix(exe, " (deleted)"))
		cmd, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		p.cmdline = strings.Split(strings.TrimRight(string(cmd), "\x00"), "\x00")
		cg, _ := os.ReadFile(filepath.Join(dir, "cgroup"))
		p.cgroup = string(cg)
		out = append(out, p)
	}
	return out
}

// cleanNode removes what a stopped (or crashed) containerd leaves behind:
// its shims and every process in their containers, kubelet pod processes
// orphaned by a dead shim, mounts under the state dir (overlay rootfs, pod
// volumes, network namespaces), its sockets and the CNI bridge. containerd
// must not be running.
func (c *Cluster) cleanNode() {
	procs := listProcs()
	children := map[int][]int{}
	for _, p := range procs {
		children[p.ppid] = append(children[p.ppid], p.pid)
	}
	var victims []int
	var collect func(int)
	collect = func(pid int) {
		for _, ch := range children[pid] {
			collect(ch)
		}
		victims = append(victims, pid)
	}
	sock := c.containerdSock()
	for _, p := range procs {
		if strings.HasPrefix(p.exe, "containerd-shim") && slices.Contains(p.cmdline, sock) {
			collect(p.pid) // descendants first, shim last
		}
		// A container whose shim died was reparented; its cgroup still says
		// it belongs to a kubelet pod.
		if strings.Contains(p.cgroup, "/kubepods") {
			victims = append(victims, p.pid)
		}
	}
	for _, pid := range victims {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range victims {
		waitGone(pid, 5*time.Second)
	}
	c.unmountAll()
	for _, s := range []string{sock, sock + ".ttrpc"} {
		_ = os.Remove(s)
	}
	// The bridge would survive in the host network namespace; its address
	// (10.88.0.1) is harmless, but down should leave the machine as it was.
	_ = exec.Command("ip", "link", "delete", bridgeName).Run()
}

// unmountAll detaches every mount under the state dir, deepest first, so the
// directory can be deleted and a new containerd starts clean.
func (c *Cluster) unmountAll() {
	for _, m := range c.mountsUnder() {
		_ = syscall.Unmount(m, syscall.MNT_DETACH)
	}
}

func (c *Cluster) mountsUnder() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if strings.HasPrefix(mp, c.Dir+"/") {
			out = append(out, mp)
		}
	}
	// Longer paths are deeper; unmount children before parents.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for space, ...).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// strayProcesses lists harness processes still running for this state dir.
func (c *Cluster) strayProcesses() []procInfo {
	var out []procInfo
	for _, p := range listProcs() {
		if slices.Contains(harnessBinaries, p.exe) && strings.Contains(strings.Join(p.cmdline, " "), c.Dir) {
			out = append(out, p)
		}
	}
	return out
}

func splitLines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }
