#!/usr/bin/env python3
"""Derives seccheck's layered catalog (profiles/<runtime>.json) from the pinned reference
profiles in ../shared/reference-profiles (read only). Run once when a version is added:

    python3 profiles/tools/convert_reference.py [REFERENCE_DIR]

Facts carry over (rule sets, releases, commits); the form is seccheck's own: the first
version of each runtime is written out in full, every later one as changes against the
version it descends from (rules removed, names added to / removed from a rule, rules
inserted after a named rule, top-level fields set). The C++ loader (analysis/catalog.cpp)
replays the changes; tests/catalog checks every result equals its reference file.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.dirname(HERE)
REF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(OUT_DIR, "..", "..", "shared", "reference-profiles")

OPS = {"SCMP_CMP_NE": "!=", "SCMP_CMP_LT": "<", "SCMP_CMP_LE": "<=", "SCMP_CMP_EQ": "==",
       "SCMP_CMP_GE": ">=", "SCMP_CMP_GT": ">", "SCMP_CMP_MASKED_EQ": "&"}

# (catalog version, reference file, parent version) in descent order.
RUNTIMES = {
    "docker": {
        "engine": "docker",
        "what": "Docker Engine (moby) profiles/seccomp/default.json; also cri-dockerd",
        "chain": [
            ("20.10.0", "docker-20.10.0.json", None),
            ("20.10.4", "docker-20.10.4.json", "20.10.0"),
            ("20.10.10", "docker-20.10.10.json", "20.10.4"),
            ("20.10.18", "docker-20.10.18.json", "20.10.10"),
            ("20.10.22", "docker-20.10.22.json", "20.10.18"),
            ("20.10.24-debian-bookworm", "docker-20.10.24-debian-bookworm.json", "20.10.18"),
            ("20.10.26", "docker-20.10.26.json", "20.10.22"),
            ("23.0.0", "docker-23.0.0.json", "20.10.26"),
            ("23.0.7", "docker-23.0.7.json", "23.0.0"),
            ("23.0.10", "docker-23.0.10.json", "23.0.7"),
            ("25.0.0", "docker-25.0.0.json", "23.0.10"),
            ("25.0.3", "docker-25.0.3.json", "25.0.0"),
            ("28.2.0", "docker-28.2.0.json", "25.0.3"),
            ("29.4.2", "docker-29.4.2.json", "28.2.0"),
            ("29.4.3", "docker-29.4.3.json", "29.4.2"),
        ],
    },
    "containerd": {
        "engine": "containerd",
        "what": "containerd CRI plugin DefaultProfile() (contrib/seccomp/seccomp_default.go), as a conditional profile",
        "chain": [
            ("1.6.20", "containerd-1.6.20.json", None),
            ("1.6.39", "containerd-1.6.39.json", "1.6.20"),
            ("1.7.34", "containerd-1.7.34.json", "1.6.39"),
            ("2.0.11", "containerd-2.0.11.json", "1.7.34"),
            ("2.1.9", "containerd-2.1.9.json", "2.0.11"),
            ("2.3.4", "containerd-2.3.4.json", "2.1.9"),
        ],
    },
    "containers-common": {
        "engine": "crio",
        "what": "containers/common pkg/seccomp/seccomp.json (CRI-O, Podman, Buildah)",
        "chain": [
            ("0.50.1", "containers-common-0.50.1.json", None),
            ("0.58.0", "containers-common-0.58.0.json", "0.50.1"),
            ("0.60.0", "containers-common-0.60.0.json", "0.58.0"),
            ("0.63.0", "containers-common-0.63.0.json", "0.60.0"),
            ("0.67.0", "containers-common-0.67.0.json", "0.63.0"),
            ("main-8840603a87", "containers-common-main-8840603a87.json", "0.67.0"),
        ],
    },
}


def readme_rows():
    rows = {}
    for line in open(os.path.join(REF, "README.md")):
        m = re.match(r"^\| `([^`]+\.json)` \| (.*) \| (.*) \| (.*) \| (.*) \| (\d+) \|$", line)
        if m and m.group(1) not in rows:  # the provenance table comes first
            rows[m.group(1)] = {"releases": m.group(5).strip(), "ref": m.group(3).strip()}
    return rows


def bare_version(tag):
    tag = tag.split()[-1]
    for prefix in ("docker-v", "common/v", "v"):
        if tag.startswith(prefix):
            return tag[len(prefix):]
    return tag


def convert_rule(r):
    out = {"names": list(r["names"])}
    action = r["action"]
    assert action in ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO"), action
    if action == "SCMP_ACT_ALLOW":
        out["action"] = "allow"
    else:
        out["action"] = "errno" if r.get("errnoRet") is None else "errno %d" % r["errnoRet"]
    args = []
    for a in r.get("args") or []:
        op = OPS[a["op"]]
        if op == "&":
            args.append("a%d & %s == %s" % (a["index"], hex(a["value"]), hex(a.get("valueTwo", 0))))
        else:
            assert a.get("valueTwo", 0) == 0
            args.append("a%d %s %s" % (a["index"], op, hex(a["value"]) if a["value"] > 9 else a["value"]))
    if args:
        out["args"] = args
    when = []
    inc = r.get("includes") or {}
    exc = r.get("excludes") or {}
    assert set(inc) <= {"caps", "arches", "minKernel"} and set(exc) <= {"caps", "arches"}, (inc, exc)
    when += list(inc.get("caps") or [])
    when += ["no " + c for c in exc.get("caps") or []]
    if inc.get("arches"):
        when.append("arch in " + " ".join(inc["arches"]))
    if exc.get("arches"):
        when.append("arch not in " + " ".join(exc["arches"]))
    if inc.get("minKernel"):
        when.append("kernel >= " + inc["minKernel"])
    if when:
        out["when"] = when
    return out


def key(rule):
    return (rule["action"], tuple(rule.get("args", [])), tuple(rule.get("when", [])))


def slug(rule):
    # Lists of several calls are named by their action, single calls by the call.
    s = rule["names"][0] if len(rule["names"]) <= 3 else rule["action"].replace(" ", "")
    if rule["action"] != "allow" and len(rule["names"]) <= 3:
        s += "." + rule["action"].replace(" ", "")
    for a in rule.get("args", []):
        s += "." + re.sub(r"[^0-9a-zA-Z]+", "", a.replace("!=", "ne").replace("<=", "le").replace(">=", "ge")
                            .replace("==", "eq").replace("<", "lt").replace(">", "gt").replace("&", "and"))
    for w in rule.get("when", []):
        w = w.replace("CAP_", "").lower().replace("arch not in ", "not-").replace("arch in ", "")
        w = w.replace("kernel >= ", "kernel").replace(" ", "-")
        s += ".if-" + w
    return s


def top_fields(d):
    t = {"default": "errno" if d.get("defaultErrnoRet") is None else "errno %d" % d["defaultErrnoRet"]}
    assert d["defaultAction"] == "SCMP_ACT_ERRNO"
    t["archMap"] = [[e["architecture"]] + list(e.get("subArchitectures") or []) for e in d.get("archMap") or []]
    assert "architectures" not in d and "flags" not in d
    return t


def lcs(a, b):
    n, m = len(a), len(b)
    t = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            t[i][j] = t[i + 1][j + 1] + 1 if a[i] == b[j] else max(t[i + 1][j], t[i][j + 1])
    out, i, j = set(), 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.add(a[i]); i += 1; j += 1
        elif t[i + 1][j] >= t[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def assign_new_id(rule, used):
    base = slug(rule)
    rid, n = base, 2
    while rid in used:
        rid, n = "%s.%d" % (base, n), n + 1
    used.add(rid)
    return rid


def derive(parent_rules, child_rules):
    """parent_rules: [(id, rule)]; child_rules: [rule]. Returns ([(id, rule)], changes)."""
    used = {rid for rid, _ in parent_rules}
    free = list(parent_rules)
    matched = []  # child index -> parent id or None
    for rule in child_rules:
        best, best_overlap = None, 0
        for idx, (rid, prule) in enumerate(free):
            if key(prule) != key(rule):
                continue
            overlap = len(set(prule["names"]) & set(rule["names"]))
            if prule["names"] == rule["names"]:
                overlap = 10 ** 6
            if overlap > best_overlap:
                best, best_overlap = idx, overlap
        if best is None:
            matched.append(None)
        else:
            matched.append(free.pop(best))
    parent_order = [rid for rid, _ in parent_rules]
    child_order = [m[0] for m in matched if m]
    keep = lcs([r for r in parent_order if r in child_order], child_order)
    removed, names_changes, adds, result = [], {}, [], []
    after = None
    new_used = set(keep)
    for rule, m in zip(child_rules, matched):
        if m and m[0] in keep:
            rid, prule = m
            plus = [n for n in rule["names"] if n not in prule["names"]]
            minus = [n for n in prule["names"] if n not in rule["names"]]
            if plus or minus:
                ch = {}
                if plus:
                    ch["add"] = plus
                if minus:
                    ch["remove"] = minus
                names_changes[rid] = ch
            result.append((rid, rule))
        else:
            rid = assign_new_id(rule, used | new_used)
            new_used.add(rid)
            adds.append(dict({"id": rid, "after": after}, **rule))
            result.append((rid, rule))
        after = rid
    removed = [rid for rid in parent_order if rid not in keep]
    changes = {}
    if removed:
        changes["remove"] = removed
    if names_changes:
        changes["names"] = names_changes
    if adds:
        changes["add"] = adds
    return result, changes


def replay(parent_rules, changes):
    """The loader's algorithm, to self-check the output."""
    rules = [(rid, dict(r)) for rid, r in parent_rules if rid not in changes.get("remove", [])]
    for rid, ch in changes.get("names", {}).items():
        for i, (xid, r) in enumerate(rules):
            if xid == rid:
                names = [n for n in r["names"] if n not in ch.get("remove", [])] + ch.get("add", [])
                rules[i] = (xid, dict(r, names=names))
    for add in changes.get("add", []):
        rule = {k: v for k, v in add.items() if k not in ("id", "after")}
        pos = 0 if add["after"] is None else [x for x, _ in rules].index(add["after"]) + 1
        rules.insert(pos, (add["id"], rule))
    return rules


def canon(rule):
    return (rule["action"], tuple(rule.get("args", [])), tuple(rule.get("when", [])), tuple(sorted(rule["names"])))


def main():
    index = {e["file"]: e for e in json.load(open(os.path.join(REF, "index.json")))}
    rows = readme_rows()
    for runtime, spec in RUNTIMES.items():
        out = {
            "family": runtime,
            "engine": spec["engine"],
            "what": spec["what"],
            "generated_by": "profiles/tools/convert_reference.py from ../shared/reference-profiles (facts only)",
            "versions": [],
        }
        built = {}
        for version, fname, parent in spec["chain"]:
            d = json.load(open(os.path.join(REF, fname)))
            entry = index[fname]
            tags = entry.get("release_tags") or entry.get("same_source_in_tags") or entry.get("same_file_in_tags") or []
            up = entry["upstream"]
            if "based_on" in up:
                source = "Debian 12 %s, %s (moby/moby %s %s + Debian patch)" % (
                    up["debian_binary_package"], up["path_in_package"], up["based_on"]["tag"], up["based_on"]["commit"][:12])
            else:
                path = up["path"] if isinstance(up["path"], str) else " or ".join(up["path"])
                ref = up.get("tag") or up.get("ref") or up.get("first_release_tag")
                source = "%s %s at %s (commit %s, %s)" % (up["repo"], path, ref, up["commit"][:12], up["commit_date"][:10])
            v = {"version": version, "releases": rows[fname]["releases"],
                 "release_versions": [bare_version(t) for t in tags], "source": source,
                 "reference_file": fname, "sha256": entry["sha256"]}
            rules = [convert_rule(r) for r in d["syscalls"]]
            top = top_fields(d)
            if parent is None:
                v.update(top)
                used = set()
                ided = [(assign_new_id(r, used), r) for r in rules]
                v["rules"] = [dict({"id": rid}, **r) for rid, r in ided]
            else:
                ptop, prules = built[parent]
                v["from"] = parent
                sets = {k: top[k] for k in top if top[k] != ptop[k]}
                if sets:
                    v["set"] = sets
                ided, changes = derive(prules, rules)
                v.update(changes)
                got = replay(prules, changes)
                assert [canon(r) for _, r in got] == [canon(r) for r in rules], (runtime, version)
            built[version] = (top, ided)
            out["versions"].append(v)
        path = os.path.join(OUT_DIR, runtime + ".json")
        with open(path, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
