#!/bin/sh
# Measures the calls an OCI runtime's container init makes between loading the container's
# seccomp filter and executing the entrypoint: the data behind analysis/oci_runtime_calls.csv.
#   scripts/measure_runtime_calls.sh runc|crun [RUNS]   (as root; prints "call runs_seen/RUNS")
# Method: a bundle from `runc spec` (terminal off, linux.seccomp = SCMP_ACT_LOG for every call)
# whose entrypoint is a static program that only calls exit_group; the runtime run under
# `strace -f`; from each trace, the calls of the thread whose seccomp filter load (prctl
# PR_SET_SECCOMP or seccomp SECCOMP_SET_MODE_FILTER) returned 0, after the load, up to and
# including its execve. crun runs in a private mount namespace with a plain cgroup2 mount and
# --cgroup-manager=disabled (what this kind of VM needs; ../shared/README.md).
set -eu
runtime=$1
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/b/rootfs/proc" "$work/b/rootfs/dev" "$work/b/rootfs/sys"
printf 'void _start(void) { __asm__ volatile("mov $231, %%eax\\n xor %%edi, %%edi\\n syscall"); }\n' >"$work/exit0.c"
gcc -nostdlib -static -O2 -o "$work/b/rootfs/exit0" "$work/exit0.c"
runc spec --bundle "$work/b"
python3 - "$work/b/config.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = ["/exit0"]
config["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_LOG", "architectures": ["SCMP_ARCH_X86_64"]}
json.dump(config, open(path, "w"))
PY
i=1
while [ "$i" -le "$runs" ]; do
  if [ "$runtime" = crun ]; then
    unshare -m --propagation private sh -c "mount -t cgroup2 none /sys/fs/cgroup && strace -f -qq -o '$work/trace.$i' crun --root '$work/state' --cgroup-manager=disabled run -b '$work/b' m$i" >/dev/null
  else
    strace -f -qq -o "$work/trace.$i" "$runtime" --root "$work/state" run -b "$work/b" "m$i" >/dev/null
  fi
  i=$((i + 1))
done
python3 - "$runs" "$work"/trace.* <<'PY'
import re, sys
runs = int(sys.argv[1])
seen = {}
for path in sys.argv[2:]:
    # "PID  call(...)": strace pads short pids, so the pid is split off once here.
    lines = []
    for raw in open(path).read().splitlines():
        m = re.match(r"(\d+)\s+(.*)$", raw)
        if m:
            lines.append(m.group(1) + " " + m.group(2))
    tid, start = None, None
    for i, line in enumerate(lines):
        m = re.match(r"(\d+) (?:prctl\(PR_SET_SECCOMP, SECCOMP_MODE_FILTER|seccomp\(SECCOMP_SET_MODE_FILTER)", line)
        if not m:
            continue
        result = line
        if "<unfinished" in line:
            result = next(x for x in lines[i + 1:] if x.startswith(m.group(1) + " <... "))
        if re.search(r"= 0$", result):
            tid, start = m.group(1), i
    if tid is None:
        print(f"{path}: no successful filter load found; run left out", file=sys.stderr)
        runs -= 1
        continue
    calls = set()
    for line in lines[start + 1:]:
        if not line.startswith(tid + " "):
            continue
        name = re.match(r"(\w+)\(", line[len(tid) + 1:])
        if name:
            calls.add(name.group(1))
            if name.group(1) == "execve":
                break
    for call in calls:
        seen[call] = seen.get(call, 0) + 1
for call in sorted(seen):
    print(f"{call} {seen[call]}/{runs}")
PY
