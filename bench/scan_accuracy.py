#!/usr/bin/env python3
"""How well `seccheck scan` predicts what a run calls: for each workload, the syscalls a
`seccheck check` run saw (every call, through a profile that blocks everything) against the
syscalls `seccheck scan` finds reachable in the programs that run executed (the same profile, so
every reachable call is a finding). Prints a Markdown table for README.

precision = |scan & run| / |scan|   (how much of what scan reports this run used)
recall    = |scan & run| / |run|    (how much of what the run used scan found)

Both are over syscall names on x86_64. A small test run exercises little of a program, so
precision here is a floor, not a measure of false positives; recall is the number that matters.
The second pair is over the calls Docker's profile blocks (run findings vs scan findings that
are blocked or may be blocked).

Usage: bench/scan_accuracy.py BUILD_DIR [OUT_DIR]
"""
import json
import os
import subprocess
import sys
import tempfile

WORKLOADS = [
    ("util-linux unshare", ["/usr/bin/unshare", "-U", "true"]),
    ("util-linux mount", ["/usr/bin/mount"]),
    ("busybox (static)", ["/usr/bin/busybox", "sh", "-c", "ls / >/dev/null; cat /etc/hostname >/dev/null"]),
    ("python3", ["/usr/bin/python3", "-c", "import os, socket; socket.socket().close(); print(os.getpid())"]),
    ("runc (Go)", ["/usr/sbin/runc", "--version"]),
]

DENY_ALL = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}


def run(argv):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def names(findings, only_blocked=False):
    out = set()
    for f in findings:
        if f.get("arch") != "x86_64":
            continue
        if only_blocked and not (f["blocked_by_any"] or any(v.get("may_block") for v in f["verdicts"])):
            continue
        out.add(f["syscall"])
    return out


def ratio(a, b):
    return "%.0f%% (%d/%d)" % (100.0 * a / b, a, b) if b else "n/a (0/0)"


def main():
    build = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="scan-accuracy-")
    seccheck = os.path.join(build, "cli", "seccheck")
    deny_all = os.path.join(out_dir, "deny-all.json")
    with open(deny_all, "w") as f:
        json.dump(DENY_ALL, f)
    rows = []
    for label, command in WORKLOADS:
        record = os.path.join(out_dir, label.split()[0] + ".record.json")
        report = os.path.join(out_dir, label.split()[0] + ".run.json")
        r = run([seccheck, "check", "-q", "--stack", "0", "--profile", deny_all, "--profile", "docker",
                 "--record", record, "--format", "json", "-o", report, "--"] + command)
        if r.returncode not in (0, 1):
            print("%s: check failed (%d): %s" % (label, r.returncode, r.stderr), file=sys.stderr)
            continue
        rec = json.load(open(record))
        run_all = {c["name"] for c in rec["calls"] if c["arch"] == "x86_64"}
        run_findings = json.load(open(report))["findings"]
        run_docker = {f["syscall"] for f in run_findings
                      if f["arch"] == "x86_64" and f["verdicts"][1]["blocked"]}
        executables = rec.get("executables", [])
        scan_json = os.path.join(out_dir, label.split()[0] + ".scan.json")
        s_all = run([seccheck, "scan", "-q", "--profile", deny_all, "--format", "json", "-o", scan_json]
                    + executables)
        scan_report = json.load(open(scan_json))
        scan_all = names(scan_report["findings"])
        scan_docker_json = scan_json.replace(".scan.", ".scan-docker.")
        run([seccheck, "scan", "-q", "--profile", "docker", "--format", "json", "-o", scan_docker_json]
            + executables)
        scan_docker = names(json.load(open(scan_docker_json))["findings"], only_blocked=True)
        info = scan_report["scan"]
        mib = info["code_bytes"] / (1024.0 * 1024.0)
        rows.append((label, " ".join(command), ", ".join(os.path.basename(e) for e in executables),
                     len(run_all), len(scan_all), ratio(len(scan_all & run_all), len(scan_all)),
                     ratio(len(scan_all & run_all), len(run_all)),
                     "%s / %s" % (ratio(len(scan_docker & run_docker), len(scan_docker)),
                                  ratio(len(scan_docker & run_docker), len(run_docker))),
                     "%.1f" % mib, info["modules"], "%.2f" % info["duration_seconds"],
                     "%.2f" % (info["duration_seconds"] / mib if mib else 0.0),
                     sorted(run_all - scan_all), sorted(run_docker), sorted(scan_docker)))
        if s_all.returncode not in (0, 1):
            print("%s: scan failed: %s" % (label, s_all.stderr), file=sys.stderr)
    print("| workload | test run | executed | run calls | scan calls | precision | recall | Docker-blocked precision / recall | code MiB | modules | scan s | s per MiB |")
    print("|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for row in rows:
        print("| %s | `%s` | %s | %d | %d | %s | %s | %s | %s | %d | %s | %s |" % row[:12])
    print()
    for row in rows:
        print("%s: run calls scan missed: %s" % (row[0], " ".join(row[12])))
        print("%s: Docker-blocked in the run: %s; reachable and (may be) blocked: %s" %
              (row[0], " ".join(row[13]) or "-", " ".join(row[14]) or "-"))
    print("\nfiles in", out_dir)


if __name__ == "__main__":
    main()
