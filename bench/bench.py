#!/usr/bin/python3
"""seccheck benchmarks: workloads under native, an allow-all seccomp filter, seccheck check,
seccheck trace and strace, measured side by side in one run (interleaved, medians).

Run through bench/run.sh, which builds seccheck and the bench_* testprogs first. Prints a
Markdown report to stdout and writes it to bench/results/latest.md. Not a test.
"""
import argparse
import datetime
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The calls a RuntimeDefault profile blocks at least sometimes (Docker, containerd, CRI-O):
# what `seccheck check`'s filter can stop. strace --seccomp-bpf traces the same set, so that
# column is the "strace doing the same job" baseline. '?' makes strace skip names it does not
# know on x86_64.
FLAGGABLE = (
    "acct add_key bpf clock_adjtime clock_settime clone clone3 create_module delete_module "
    "finit_module fsconfig fsmount fsopen fspick get_kernel_syms get_mempolicy init_module "
    "ioperm iopl kcmp kexec_file_load kexec_load keyctl lookup_dcookie mbind mount "
    "mount_setattr move_mount move_pages name_to_handle_at nfsservctl open_by_handle_at "
    "open_tree perf_event_open personality pivot_root process_vm_readv process_vm_writev ptrace "
    "query_module quotactl quotactl_fd reboot request_key set_mempolicy setns settimeofday "
    "socket swapoff swapon sysfs _sysctl umount2 unshare uselib userfaultfd ustat vm86 vm86old"
).split()

# Targets from the issue, printed above the table.
TARGETS = [
    "check within 1.15x of native on the fork+exec storm and within 1.03x of the allow-all floor elsewhere "
    "(on rows long enough that its start-up, a few ms, does not count)",
    "trace -o /dev/null at or below strace -f -o /dev/null on every workload",
    "trace -c at or below the one-stop tracer, and its overhead (ratio - 1) at most half of strace -f -c's "
    "(one stop per call, not two)",
    "trace -e trace=<a call never made> <= 1.05x native, threads included",
    "peak RSS of seccheck flat from 1M to 10M calls (trace -c, check --record)",
]


def log(message):
    print(message, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build_dir)
        self.seccheck = os.path.join(self.build, "cli", "seccheck")
        self.testprogs = os.path.join(self.build, "testprogs")
        self.tmp = tempfile.mkdtemp(prefix="seccheck-bench-")
        # A private copy: a rebuild of the tree during the run must not swap the binary mid-way.
        shutil.copy2(self.seccheck, os.path.join(self.tmp, "seccheck"))
        self.seccheck_source = self.seccheck
        self.seccheck = os.path.join(self.tmp, "seccheck")
        # check's filter cache lives in the run's own folder: the first check run builds the
        # filters (cold), later ones load them, as repeated checks on one machine do.
        os.environ["XDG_CACHE_HOME"] = os.path.join(self.tmp, "cache")
        self.notes = []
        self.flag_profile = os.path.join(HERE, "flag_startup_calls.json")
        self.check_works = self._check_works()
        self.strace = shutil.which("strace")
        if not self.strace:
            self.notes.append("strace not found: strace columns skipped")

    def _check_works(self):
        out = subprocess.run([self.seccheck, "check", "--help"], capture_output=True, text=True)
        if out.returncode != 0 or "not built yet" in out.stdout + out.stderr:
            self.notes.append("`seccheck check` is not built in this tree: check columns skipped")
            return False
        return True

    def prog(self, name):
        return os.path.join(self.testprogs, name)

    # --- modes: how a workload command is wrapped --------------------------------------------
    def modes(self):
        s = self.seccheck
        modes = [
            ("native", "native", lambda c: c, None),
            ("floor", "allow-all filter", lambda c: [self.prog("bench_allow_all_filter")] + c, None),
        ]
        if self.check_works:
            modes += [
                ("check", "check", lambda c: [s, "check", "-o", "/dev/null", "--"] + c, {0, 1}),
                ("check_flag", "check, flagged calls",
                 lambda c: [s, "check", "--profile", self.flag_profile, "-o", "/dev/null", "--"] + c, {1}),
                # The least any tracer that keeps every process traced costs: an allow-all filter and
                # fork/clone events, no exec events. check cannot do less (an untraced task's
                # SECCOMP_RET_TRACE call fails with ENOSYS).
                ("check_floor", "following tracer (floor)",
                 lambda c: [self.prog("bench_one_stop_tracer"), "--follow-only"] + c, None),
            ]
        modes += [
            ("trace", "trace -o /dev/null", lambda c: [s, "trace", "-o", "/dev/null", "--"] + c, None),
            ("trace_c", "trace -c", lambda c: [s, "trace", "-c", "-o", "/dev/null", "--"] + c, None),
            # The least a tracer that counts calls with one stop each can cost: stop, read the number, resume.
            ("trace_floor", "one-stop tracer (floor)", lambda c: [self.prog("bench_one_stop_tracer")] + c, None),
            # A filter that stops only a call no workload makes: what following the process tree costs.
            ("trace_unused", "trace -e trace=acct (never made)",
             lambda c: [s, "trace", "-e", "trace=acct", "-o", "/dev/null", "--"] + c, None),
        ]
        if self.strace:
            modes += [
                ("strace", "strace -f -o /dev/null", lambda c: [self.strace, "-f", "-o", "/dev/null"] + c, None),
                ("strace_c", "strace -f -c", lambda c: [self.strace, "-f", "-c", "-o", "/dev/null"] + c, None),
                ("strace_bpf", "strace --seccomp-bpf -e (flaggable set)",
                 lambda c: [self.strace, "-f", "--seccomp-bpf", "-e", "trace=" + ",".join("?" + n for n in FLAGGABLE),
                            "-o", "/dev/null"] + c, None),
            ]
        if self.args.only_modes:
            keep = set(self.args.only_modes.split(","))
            modes = [m for m in modes if m[0] in keep]
        return modes

    # --- workloads -----------------------------------------------------------------------------
    def workloads(self):
        q = self.args.quick
        w = []

        real_programs = {"tar", "find", "gcc", "python", "sqlite"}

        def add(key, title, cmd, setup=None):
            repeat = self.args.repeat_real
            if key in real_programs and repeat > 1:
                # Run back to back in one shell, so the workload lasts seconds, as a CI job does.
                inner = cmd[2] if cmd[:2] == ["/bin/sh", "-c"] else shlex.join(cmd)
                cmd = ["/bin/sh", "-c", f"for i in $(seq {repeat}); do ( {inner} ) >/dev/null; done"]
                title = f"{title}, {repeat} times"
            w.append((key, title, cmd, setup))

        n = 50000 if q else self.args.micro_calls
        add("getppid", f"{n:,} getppid", [self.prog("bench_getppid"), str(n)])
        # --micro-calls sizes every syscall loop: the default 2,000,000 gives 100,000 pipe rounds
        # and 300,000 open/fstat/close.
        n = 5000 if q else self.args.micro_calls // 20
        add("pipe", f"pipe ping-pong, {n:,} rounds", [self.prog("bench_pipe_pingpong"), str(n)])
        n = 10000 if q else self.args.micro_calls * 3 // 20
        add("open", f"open/fstat/close x{n:,}", [self.prog("bench_open_loop"), str(n)])
        n = 50000 if q else self.args.micro_calls
        add("threads", f"4 threads, {n:,} getppid", [self.prog("bench_threads"), str(n), "4"])
        add("threads16", f"16 threads, {n:,} getppid", [self.prog("bench_threads"), str(n), "16"])
        n = 100 if q else 2000
        add("fork_exec", f"{n:,} fork+exec", [self.prog("bench_fork_exec"), str(n)])
        inc = "/usr/include/linux" if q else "/usr/include"
        add("tar", f"tar c {inc} | cat", ["/bin/sh", "-c", f"tar -cf - {inc} 2>/dev/null | cat >/dev/null"])
        root = "/usr/share/doc" if q else "/usr"
        add("find", f"find {root}", ["/usr/bin/find", root, "-xdev"])
        srcs = [os.path.join(ROOT, "testprogs", f) for f in
                ("bench_getppid.c", "bench_threads.c", "bench_open_loop.c", "bench_fork_exec.c")]
        out = os.path.join(self.tmp, "gcc")
        os.makedirs(out, exist_ok=True)
        add("gcc", "gcc -O2 -c, 4 files",
            ["/bin/sh", "-c", "cd " + out + " && gcc -O2 -c " + " ".join(srcs)])
        n = 2 if q else 10
        add("python", f"python3 -c pass x{n}",
            ["/bin/sh", "-c", f"for i in $(seq {n}); do /usr/bin/python3 -c pass; done"])
        if shutil.which("sqlite3"):
            n = 200 if q else 2000
            db = os.path.join(self.tmp, "bench.db")
            sql = os.path.join(self.tmp, "inserts.sql")
            with open(sql, "w") as f:
                f.write("PRAGMA journal_mode=DELETE;\nPRAGMA synchronous=OFF;\n"
                        "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT);\n")
                for i in range(n):
                    f.write(f"INSERT INTO t(v) VALUES('row {i} {'x' * 40}');\n")
            add("sqlite", f"sqlite3, {n:,} autocommit inserts",
                ["/bin/sh", "-c", f"rm -f {db}; sqlite3 {db} < {sql}"])
        else:
            self.notes.append("sqlite3 not installed: sqlite workload skipped (bench/run.sh installs it as root)")
        if self.args.only:
            keep = set(self.args.only.split(","))
            w = [x for x in w if x[0] in keep]
        return w

    # --- running -------------------------------------------------------------------------------
    def run_once(self, cmd, ok_codes):
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except OSError as error:
            log(f"  ! cannot run {cmd[0]}: {error}")
            return 0.0, "exec", False
        elapsed = time.perf_counter() - start
        ok = proc.returncode in (ok_codes or {0})
        if not ok:
            log(f"  ! exit {proc.returncode}: {' '.join(cmd)[:200]}\n    {proc.stderr.decode(errors='replace')[-300:]}")
        return elapsed, proc.returncode, ok

    def time_workloads(self):
        modes = self.modes()
        results = {}  # (workload, mode) -> list of seconds, or failure codes
        for key, title, cmd, _ in self.workloads():
            log(f"workload {key}: {title}")
            for rep in range(self.args.reps):
                # Rotate the order each round so no mode always runs first (cold caches) or last.
                order = modes[rep % len(modes):] + modes[:rep % len(modes)]
                for mkey, _, wrap, ok_codes in order:
                    elapsed, code, ok = self.run_once(wrap(cmd), ok_codes)
                    results.setdefault((key, mkey), []).append(elapsed if ok else ("fail", code))
                    note = f"check found calls runtime-default flags in `{key}` (exit 1): its check column is not a no-flagged-calls run"
                    if mkey == "check" and code == 1 and note not in self.notes:
                        self.notes.append(note)
                log("  round %d: %s" % (rep + 1, " ".join(
                    f"{m[0]}={results[(key, m[0])][-1] if isinstance(results[(key, m[0])][-1], tuple) else round(results[(key, m[0])][-1], 3)}"
                    for m in modes)))
        return modes, results

    # --- redis under load ----------------------------------------------------------------------
    def free_port(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def redis(self, modes):
        server, client = shutil.which("redis-server"), shutil.which("redis-benchmark")
        if not server or not client:
            self.notes.append("redis-server/redis-benchmark not installed: server workload skipped "
                              "(bench/run.sh installs redis-server and redis-tools as root)")
            return None
        requests = self.args.redis_requests or (5000 if self.args.quick else 20000)
        rows = {}
        for rep in range(self.args.reps):
            order = modes[rep % len(modes):] + modes[:rep % len(modes)]
            for mkey, _, wrap, _ in order:
                port = self.free_port()
                cmd = wrap([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                            "--daemonize", "no", "--protected-mode", "yes",
                            "--io-threads", str(self.args.redis_io_threads), "--io-threads-do-reads", "yes"])
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
                rps = None
                try:
                    deadline = time.time() + 20
                    while time.time() < deadline:
                        try:
                            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                                s.sendall(b"PING\r\n")
                                if s.recv(16).startswith(b"+PONG"):
                                    break
                        except OSError:
                            time.sleep(0.05)
                    try:
                        out = subprocess.run([client, "-h", "127.0.0.1", "-p", str(port), "-n", str(requests), "-c", "8",
                                              "-t", "set,get", "-q", "--csv"], capture_output=True, text=True,
                                             timeout=self.args.redis_timeout)
                    except subprocess.TimeoutExpired:
                        log(f"  ! redis-benchmark under {mkey} did not finish within {self.args.redis_timeout} s")
                        out = subprocess.CompletedProcess([], 1, "", "")
                    values = []
                    for line in out.stdout.splitlines():
                        parts = [p.strip('"') for p in line.split(",")]
                        if len(parts) >= 2 and parts[0] in ("SET", "GET"):
                            values.append(float(parts[1]))
                    if len(values) == 2:
                        rps = sum(values) / 2
                finally:
                    try:
                        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                            s.sendall(b"SHUTDOWN NOSAVE\r\n")
                    except OSError:
                        pass
                    try:
                        proc.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
                        proc.wait()
                rows.setdefault(mkey, []).append(rps if rps else ("fail", proc.returncode))
            log("  redis round %d: %s" % (rep + 1, " ".join(f"{k}={v[-1]}" for k, v in rows.items())))
        return requests, rows

    # --- memory and latency --------------------------------------------------------------------
    def peak_rss(self, cmd):
        """Peak RSS (kB) of the seccheck process itself (VmHWM polled from /proc until it exits),
        and ru_maxrss from wait4 (max over seccheck and the workload)."""
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        hwm = 0
        while True:
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            hwm = max(hwm, int(line.split()[1]))
            except OSError:
                pass
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                code = os.waitstatus_to_exitcode(status)
                return hwm, usage.ru_maxrss, code
            time.sleep(0.02)

    def memory(self):
        counts = [100000, 1000000] if self.args.quick else [1000000, 10000000]
        rows = []
        variants = [("trace -c", lambda n: [self.seccheck, "trace", "-c", "-o", "/dev/null", "--",
                                              self.prog("bench_getppid"), str(n)])]
        if self.check_works:
            rec = os.path.join(self.tmp, "record.json")
            variants.append(("check --record", lambda n: [self.seccheck, "check", "--record", rec, "-o", "/dev/null",
                                                          "--", self.prog("bench_getppid"), str(n)]))
        for name, make in variants:
            for n in counts:
                hwm, maxrss, code = self.peak_rss(make(n))
                rows.append((name, n, hwm, maxrss, code))
                log(f"  rss {name} {n}: VmHWM {hwm} kB, ru_maxrss {maxrss} kB, exit {code}")
        return rows

    def first_line_latency(self):
        """Seconds from the workload's last instruction (it prints CLOCK_REALTIME at exit) to the
        first line of seccheck's report."""
        n = 50000 if self.args.quick else 1000000
        rows = []
        variants = [("trace -c", [self.seccheck, "trace", "-c", "--"])]
        if self.check_works:
            variants.append(("check (text report)", [self.seccheck, "check", "--profile", self.flag_profile, "--"]))
        for name, prefix in variants:
            samples = []
            for _ in range(self.args.reps):
                proc = subprocess.Popen(prefix + [self.prog("bench_getppid"), str(n)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                end_ns = None
                first_ns = None
                # The workload writes "... end_ns=T" on stdout; the report comes on stdout (check) or
                # stderr (trace -c). Read both with a selector-free approach: stderr in a thread.
                import threading
                first_err = []

                def read_err():
                    for line in proc.stderr:
                        if line.strip() and not first_err:
                            first_err.append(time.time_ns())
                    return

                t = threading.Thread(target=read_err)
                t.start()
                for line in proc.stdout:
                    if "end_ns=" in line:
                        end_ns = int(line.rsplit("end_ns=", 1)[1].split()[0])
                    elif line.strip() and first_ns is None:
                        first_ns = time.time_ns()
                proc.wait()
                t.join()
                candidates = [x for x in ([first_ns] if first_ns else []) + first_err if end_ns and x > end_ns]
                if end_ns and candidates:
                    samples.append((min(candidates) - end_ns) / 1e9)
            rows.append((name, n, statistics.median(samples) if samples else None))
            log(f"  first line {name}: {rows[-1][2]}")
        return rows

    def startup(self):
        """Wall time of seccheck around /bin/true: `trace -e` of a call never made, and `check`
        (runtime-default: three profiles) with its filters cached and with a cold cache (a fresh
        folder per run), next to /bin/true alone."""
        runs = 10 * self.args.reps
        check = [self.seccheck, "check", "-o", "/dev/null"]
        variants = [("native /bin/true", None, []),
                    ("trace -e trace=acct (never made)", None, [self.seccheck, "trace", "-e", "trace=acct", "-o", "/dev/null"]),
                    ("check, filter cache warm", "warm", check),
                    ("check, cache cold", "cold", check)]
        samples = {name: [] for name, _, _ in variants}
        warm = os.path.join(self.tmp, "startup-cache")
        for i in range(runs):
            for name, cache, prefix in variants:
                env = dict(os.environ)
                cmd = prefix + (["--"] if prefix else []) + ["/bin/true"]
                if cache:
                    env["XDG_CACHE_HOME"] = warm if cache == "warm" else os.path.join(self.tmp, f"cold-{i}")
                start = time.perf_counter()
                code = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL).returncode
                if code == 0:
                    samples[name].append(time.perf_counter() - start)
        rows = [(name, runs, statistics.median(samples[name]) if samples[name] else None) for name, _, _ in variants]
        for name, _, sec in rows:
            log(f"  start-up {name}: {sec}")
        return rows

    def heuristics_ab(self):
        """The tracer's scheduling heuristic (polling) on and off (SECCHECK_TRACER_HEURISTICS),
        and its rule with tracees asleep in wait4 counted as wanting a CPU, on a single-threaded, a
        many-threaded (16 threads on this machine's CPUs) and a fork-heavy row, plus the tar
        pipeline and gcc rows (a shell or a compiler driver waiting for its children), for the
        modes whose loop it affects."""
        n = 50000 if self.args.quick else self.args.ab_calls
        forks = 100 if self.args.quick else 500
        workloads = [("getppid", [self.prog("bench_getppid"), str(n)]),
                     ("threads16", [self.prog("bench_threads"), str(n), "16"]),
                     ("fork_exec", [self.prog("bench_fork_exec"), str(forks)])]
        workloads += [(key, cmd) for key, _, cmd, _ in self.workloads() if key in ("tar", "gcc")]
        self.ab_titles = {key: title for key, title, _, _ in self.workloads()}
        variants = [("polling", ""), ("no poll", "no-poll"),
                    ("waiting parents counted", "count-waiting-parents")]
        s = self.seccheck
        modes = [("trace", [s, "trace", "-o", "/dev/null", "--"]), ("trace -c", [s, "trace", "-c", "-o", "/dev/null", "--"])]
        if self.check_works:
            modes.append(("check", [s, "check", "-o", "/dev/null", "--"]))
        results = {}
        for key, cmd in workloads:
            log(f"heuristics A/B: {key}")
            runs = [(mode, prefix, vname, value) for mode, prefix in modes for vname, value in variants]
            for rep in range(self.args.reps):
                native, _, ok = self.run_once(cmd, None)
                results.setdefault((key, "native", ""), []).append(native if ok else ("fail", "native"))
                order = runs[rep % len(runs):] + runs[:rep % len(runs)]
                for mode, prefix, vname, value in order:
                    os.environ["SECCHECK_TRACER_HEURISTICS"] = value
                    try:
                        elapsed, code, ok = self.run_once(prefix + cmd, {0, 1} if mode == "check" else None)
                    finally:
                        os.environ.pop("SECCHECK_TRACER_HEURISTICS", None)
                    results.setdefault((key, mode, vname), []).append(elapsed if ok else ("fail", code))
        return workloads, [m for m, _ in modes], [v for v, _ in variants], results

    def pinning(self):
        """Record mode with and without --pin-cpu on stop-heavy workloads."""
        n = 50000 if self.args.quick else 1000000
        workloads = [("getppid", [self.prog("bench_getppid"), str(n)]),
                     ("threads", [self.prog("bench_threads"), str(n), "4"]),
                     ("pipe", [self.prog("bench_pipe_pingpong"), str(n // 10)])]
        variants = [("trace -c", [self.seccheck, "trace", "-c", "-o", "/dev/null"]),
                    ("trace -c --pin-cpu", [self.seccheck, "trace", "-c", "--pin-cpu", "-o", "/dev/null"])]
        if self.check_works:
            rec = os.path.join(self.tmp, "pin-record.json")
            variants += [("check --record", [self.seccheck, "check", "--record", rec, "-o", "/dev/null"]),
                         ("check --record --pin-cpu",
                          [self.seccheck, "check", "--record", rec, "--pin-cpu", "-o", "/dev/null"])]
        results = {}
        for key, cmd in workloads:
            for rep in range(self.args.reps):
                order = variants[rep % len(variants):] + variants[:rep % len(variants)]
                for name, prefix in order + [("native", [])]:
                    # check exits 1 when it found flagged calls (bench_threads: clone3), still a valid run.
                    ok_codes = {0, 1} if name.startswith("check") else None
                    elapsed, code, ok = self.run_once(prefix + (["--"] if prefix else []) + cmd, ok_codes)
                    results.setdefault((key, name), []).append(elapsed if ok else ("fail", code))
        return workloads, [v[0] for v in variants], results


def median_of(values):
    good = [v for v in values if not isinstance(v, tuple)]
    if not good or len(good) < len(values):
        fails = sorted({str(v[1]) for v in values if isinstance(v, tuple)})
        return None, "FAIL(exit " + ",".join(fails) + ")"
    return statistics.median(good), None


def machine_description():
    model, cores = "unknown CPU", 0
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            if line.startswith("processor"):
                cores += 1
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) // 1024} MiB RAM"
    load = open("/proc/loadavg").read().split()[:3]
    return (f"{model}, {cores} CPUs, {mem}; {platform.system()} {platform.release()} {platform.machine()}; "
            f"load average at start {' '.join(load)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    parser.add_argument("--quick", action="store_true", help="smaller workloads, 3 rounds")
    parser.add_argument("--reps", type=int, default=None, help="rounds per mode (default 5, --quick 3)")
    parser.add_argument("--micro-calls", type=int, default=2000000,
                        help="size of the syscall loops in a full run: getppid calls of the getppid and threads "
                             "workloads, N/20 pipe rounds, 3N/20 open/fstat/close (default 2,000,000)")
    parser.add_argument("--repeat-real", type=int, default=1,
                        help="run each real-program workload (tar, find, gcc, python, sqlite) N times in a row")
    parser.add_argument("--redis-requests", type=int, default=None,
                        help="redis-benchmark requests per test (SET, GET) per run (default 20,000, --quick 5,000)")
    parser.add_argument("--only", help="comma-separated workload keys (getppid,pipe,open,threads,fork_exec,tar,find,gcc,python,sqlite)")
    parser.add_argument("--only-modes", help="comma-separated mode keys (native,floor,check,check_flag,check_floor,trace,trace_c,trace_floor,trace_unused,strace,strace_c,strace_bpf)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: main,redis,memory,latency,pinning,ab")
    parser.add_argument("--redis-io-threads", type=int, default=2,
                        help="redis-server --io-threads (default 2: the main thread and one I/O thread; on 2 CPUs "
                             "3 or more spin against each other and redis falls from ~50,000 to ~600 requests/s natively)")
    parser.add_argument("--redis-timeout", type=int, default=120,
                        help="seconds one redis-benchmark run may take before its mode counts as failed (default 120)")
    parser.add_argument("--ab-calls", type=int, default=300000,
                        help="getppid calls of the heuristics A/B rows (default 300,000)")
    parser.add_argument("--contended", action="store_true",
                        help="run everything beside one CPU-bound busy loop per CPU (started and stopped by the bench)")
    parser.add_argument("--output", default=os.path.join(HERE, "results", "latest.md"))
    args = parser.parse_args()
    if args.reps is None:
        args.reps = 3 if args.quick else 5
    skip = set(filter(None, args.skip.split(",")))

    bench = Bench(args)
    started = datetime.datetime.now(datetime.timezone.utc)
    machine = machine_description()
    busy_loops = []
    if args.contended:
        # One busy loop per CPU at the lowest priority difference the scheduler sees: nice 0, as
        # another tenant's job would run.
        busy_loops = [subprocess.Popen(["/bin/sh", "-c", "while :; do :; done"], stdin=subprocess.DEVNULL)
                      for _ in range(os.cpu_count() or 1)]
        bench.notes.append(f"contended: {len(busy_loops)} CPU-bound busy loops (one per CPU) ran beside every workload")
    try:
        run_bench(args, skip, bench, started, machine)
    finally:
        for loop in busy_loops:
            loop.kill()
            loop.wait()


def run_bench(args, skip, bench, started, machine):
    modes, results = bench.time_workloads() if "main" not in skip else (bench.modes(), {})
    def render(redis, memory, latency, startup, pinning, ab, finished, partial):
        out = []
        out.append(f"## seccheck benchmark ({'quick' if args.quick else 'full'} run)\n")
        out.append(f"- Machine: {machine}")
        out.append(f"- Run: {started:%Y-%m-%d %H:%M} to {finished:%H:%M} UTC, {args.reps} interleaved rounds per mode "
                   f"(order rotated each round); medians of wall time; ratio = median / native median")
        try:
            rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
            out.append(f"- seccheck: {os.path.relpath(bench.seccheck_source, ROOT)} (commit {rev}{', uncommitted changes' if dirty else ''})")
        except OSError:
            pass
        out.append("- Targets: " + "; ".join(TARGETS))
        load = float(open("/proc/loadavg").read().split()[0])
        notes = list(bench.notes)
        expected_load = os.cpu_count() * (2 if args.contended else 1)
        if load > expected_load:
            notes.append(f"load average {load:.1f} on {os.cpu_count()} CPUs when the run ended: other work "
                               "competed for the CPUs, so these numbers are noisy (ratios near 1.0 say nothing)")
        for note in notes:
            out.append(f"- Note: {note}")
        out.append("")
        header = "| workload | " + " | ".join(m[1] for m in modes) + " |"
        out.append(header)
        out.append("|" + "---|" * (len(modes) + 1))
        verdicts = []
        for key, title, _, _ in (bench.workloads() if results else []):
            native, _ = median_of(results.get((key, "native"), []))
            cells = []
            med = {}
            for mkey, _, _, _ in modes:
                m, fail = median_of(results.get((key, mkey), []))
                med[mkey] = m
                if fail:
                    cells.append(fail)
                elif mkey == "native" or not native:
                    cells.append(f"{m:.3f} s")
                else:
                    cells.append(f"{m:.3f} s ({m / native:.2f}x)")
            cell_title = title.replace("|", "\\|")  # a shell pipe in a title must not end the cell
            out.append(f"| {cell_title} | " + " | ".join(cells) + " |")
            if native:
                v = []
                if med.get("check") and key == "fork_exec":
                    ratio = med["check"] / native
                    v.append(f"check {ratio:.2f}x of native {'<=' if ratio <= 1.15 else '>'} 1.15x")
                    if med.get("check_floor"):
                        follow = med["check_floor"] / native
                        v.append(f"the following tracer alone {follow:.2f}x of native "
                                 f"({'above' if follow > 1.15 else 'within'} 1.15x), "
                                 f"check {med['check'] / med['check_floor']:.3f}x of it")
                elif med.get("check") and med.get("floor"):
                    ratio = med["check"] / med["floor"]
                    v.append(f"check {ratio:.3f}x of the floor {'<=' if ratio <= 1.03 else '>'} 1.03x")
                if med.get("trace_unused"):
                    ratio = med["trace_unused"] / native
                    v.append(f"trace -e (never made) {ratio:.2f}x {'<=' if ratio <= 1.05 else '>'} 1.05x")
                if med.get("trace") and med.get("strace"):
                    v.append(f"trace {med['trace'] / med['strace']:.2f}x of strace "
                             f"({'met' if med['trace'] <= med['strace'] else 'MISSED'})")
                if med.get("trace_c") and med.get("trace_floor"):
                    ratio = med["trace_c"] / med["trace_floor"]
                    v.append(f"trace -c {ratio:.2f}x of the one-stop floor ({'met' if ratio <= 1.0 else 'MISSED'})")
                if med.get("trace_c") and med.get("strace_c"):
                    ours, theirs = med["trace_c"] / native - 1, med["strace_c"] / native - 1
                    if theirs <= 0.05:
                        v.append(f"-c overhead {ours:.2f} vs strace's {theirs:.2f}: within noise (no verdict)")
                    else:
                        v.append(f"-c overhead {ours:.2f} vs strace's {theirs:.2f}: "
                                 f"{'met' if ours <= theirs / 2 else 'missed'} (<= half)")
                verdicts.append(f"- {title}: " + "; ".join(v))
        out.append("")
        out.append("Targets per workload:")
        out.extend(verdicts)
        if redis:
            requests, rows = redis
            out.append("")
            out.append(f"### Server: redis-server on 127.0.0.1, redis-benchmark -n {requests:,} -c 8 -t set,get "
                       "(mean of SET and GET requests/s; ratio = throughput / native throughput)\n")
            out.append("| server | " + " | ".join(m[1] for m in modes if m[0] in rows) + " |")
            out.append("|" + "---|" * (len([m for m in modes if m[0] in rows]) + 1))
            native, _ = median_of(rows.get("native", []))
            cells = []
            for mkey, _, _, _ in modes:
                if mkey not in rows:
                    continue
                m, fail = median_of(rows[mkey])
                cells.append(fail if fail else (f"{m:,.0f}/s" + (f" ({m / native:.2f}x)" if native and mkey != "native" else "")))
            out.append("| redis | " + " | ".join(cells) + " |")
            trace_rps, _ = median_of(rows.get("trace", []))
            strace_rps, _ = median_of(rows.get("strace", []))
            if trace_rps and strace_rps:
                out.append(f"\nServer target: trace serves {trace_rps / strace_rps:.2f}x strace's requests/s "
                           f"({'met' if trace_rps >= strace_rps else 'MISSED'}: at or above)")
        if memory:
            out.append("")
            out.append("### Peak memory of seccheck (bench_getppid N)\n")
            out.append("| mode | calls | seccheck VmHWM | ru_maxrss (seccheck or workload) | exit |")
            out.append("|---|---|---|---|---|")
            for name, n, hwm, maxrss, code in memory:
                out.append(f"| {name} | {n:,} | {hwm / 1024:.1f} MiB | {maxrss / 1024:.1f} MiB | {code} |")
        def milliseconds_table(title, header, rows):
            out.append("")
            out.append(f"### {title}\n")
            out.append(f"| {header} | median |")
            out.append("|---|---|---|")
            for name, n, sec in rows:
                out.append(f"| {name} | {n:,} | {'n/a' if sec is None else f'{sec * 1000:.1f} ms'} |")

        if latency:
            milliseconds_table("Time from the workload's exit to the first report line", "mode | calls", latency)
        if startup:
            milliseconds_table("Fixed start-up of seccheck (workload /bin/true; check: runtime-default)", "run | runs", startup)
        if pinning:
            workloads, variants, res = pinning
            out.append("")
            out.append("### Record mode with and without --pin-cpu (tracer and workload on one CPU)\n")
            out.append("| workload | native | " + " | ".join(variants) + " |")
            out.append("|" + "---|" * (len(variants) + 2))
            for key, cmd in workloads:
                native, _ = median_of(res.get((key, "native"), []))
                cells = [f"{native:.3f} s" if native else "n/a"]
                for name in variants:
                    m, fail = median_of(res.get((key, name), []))
                    cells.append(fail if fail else f"{m:.3f} s ({m / native:.2f}x)" if native else f"{m:.3f} s")
                out.append(f"| {key} ({' '.join(os.path.basename(c) for c in cmd)}) | " + " | ".join(cells) + " |")
        if ab:
            workloads, ab_modes, variants, res = ab
            out.append("")
            out.append("### Tracer heuristics A/B (SECCHECK_TRACER_HEURISTICS; ratio to native)\n")
            out.append("| workload | mode | " + " | ".join(variants) + " |")
            out.append("|" + "---|" * (len(variants) + 2))
            for key, cmd in workloads:
                native, _ = median_of(res.get((key, "native", ""), []))
                for mode in ab_modes:
                    cells = []
                    for vname in variants:
                        m, fail = median_of(res.get((key, mode, vname), []))
                        cells.append(fail if fail else f"{m:.3f} s ({m / native:.2f}x)" if native else f"{m:.3f} s")
                    # A shell command's words are no label: the main table's title is.
                    label = (bench.ab_titles.get(key, key) if cmd[:2] == ["/bin/sh", "-c"]
                             else " ".join(os.path.basename(c) for c in cmd))
                    label = label.replace("|", "\\|")
                    out.append(f"| {key} ({label}) | {mode} | " + " | ".join(cells) + " |")
        text = "\n".join(out) + "\n"
        if partial:
            text += "\n(partial: written after the main table; the run is still going)\n"
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        with open(args.output, "w") as f:
            f.write(text)
        return text

    # The main table is written as soon as it exists, so an interrupted run keeps it.
    render(None, [], [], [], None, None, datetime.datetime.now(datetime.timezone.utc), True)
    redis = None if "redis" in skip else bench.redis(modes)
    memory = [] if "memory" in skip else bench.memory()
    latency = [] if "latency" in skip else bench.first_line_latency()
    startup = [] if "latency" in skip or not bench.check_works else bench.startup()
    pinning = None if "pinning" in skip else bench.pinning()
    ab = None if "ab" in skip else bench.heuristics_ab()
    finished = datetime.datetime.now(datetime.timezone.utc)
    text = render(redis, memory, latency, startup, pinning, ab, finished, False)
    print(text)
    shutil.rmtree(bench.tmp, ignore_errors=True)
    log(f"written to {args.output}")


if __name__ == "__main__":
    main()
