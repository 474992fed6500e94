#!/usr/bin/python3
"""Turn one bench/run.sh pass into a Markdown table and a JSON file.

usage: /usr/bin/python3 bench/report.py OUTDIR RESULT.json IMAGEINFO.json

OUTDIR/index.tsv has one line per measurement: ROW TOOL KIND FILE|REASON,
KIND being hyperfine (FILE is hyperfine's --export-json), rss (FILE is
bench/peak-rss.py's JSON), skip or failed (REASON). Rows keep the order of
their first line. Prints the table on stdout and writes RESULT.json with the
machine description, every measurement and the target verdicts. Environment
(set by run.sh): HUSK, MODE, QUICK, ELAPSED.
"""

import json
import os
import platform
import re
import subprocess
import sys
import time


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except (OSError, ValueError):
        return None


def subuid_range():
    """Whether this user has a range in /etc/subuid (rootless rows differ)."""
    import pwd
    try:
        name = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        name = None
    try:
        with open("/etc/subuid") as f:
            return any(line.split(":")[0] in (name, str(os.getuid()))
                       for line in f if line.count(":") >= 2)
    except OSError:
        return False


def machine():
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    osr = None
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osr = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    husk = os.environ.get("HUSK", "husk")
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    commit = version(["git", "-C", src, "rev-parse", "--short", "HEAD"])
    dirty = version(["git", "-C", src, "status", "--porcelain"])
    return {
        "kernel": platform.release(),
        "os": osr,
        "arch": platform.machine(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_mb": mem,
        "mode": os.environ.get("MODE"),
        "uid": os.getuid(),
        "subuid_range": subuid_range(),
        "quick": os.environ.get("QUICK") == "1",
        "cold": os.environ.get("COLD", "trash"),
        "loadavg_at_end": loadavg(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "elapsed_s": int(os.environ.get("ELAPSED", "0")),
        "husk_commit": (commit or "?") + ("-dirty" if dirty else ""),
        "versions": {
            "husk": version([husk, "--version"]),
            "podman": version(["podman", "--version"]),
            "crun": version(["crun", "--version"]),
            "hyperfine": version(["hyperfine", "--version"]),
            "skopeo": version(["skopeo", "--version"]),
            "umoci": version(["umoci", "--version"]),
            "curl": version(["curl", "--version"]),
            "gzip": version(["gzip", "--version"]),
            "zstd": version(["zstd", "--version"]),
            "tar": version(["tar", "--version"]),
        },
    }


def load(outdir):
    rows, order = {}, []
    with open(os.path.join(outdir, "index.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            row, tool, kind, arg = parts
            if row not in rows:
                rows[row] = {}
                order.append(row)
            m = {"row": row, "tool": tool, "kind": kind}
            if kind == "hyperfine":
                try:
                    with open(arg) as jf:
                        r = json.load(jf)["results"][0]
                    m.update({
                        "command": r["command"],
                        "median_ms": r["median"] * 1000,
                        "mean_ms": r["mean"] * 1000,
                        "stddev_ms": (r.get("stddev") or 0) * 1000,
                        "min_ms": r["min"] * 1000,
                        "max_ms": r["max"] * 1000,
                        "runs": len(r["times"]),
                        "times_ms": [round(t * 1000, 1) for t in r["times"]],
                    })
                except (OSError, ValueError, KeyError, IndexError) as e:
                    m.update(kind="failed", reason="unreadable %s: %s" % (arg, e))
            elif kind == "rss":
                try:
                    with open(arg) as jf:
                        m.update(json.load(jf))
                except (OSError, ValueError) as e:
                    m.update(kind="failed", reason="unreadable %s: %s" % (arg, e))
            else:
                m["reason"] = arg
            rows[row][tool] = m
    return rows, order


def ms(v):
    if v >= 1000:
        return "%.0f ms" % v
    if v >= 100:
        return "%.0f ms" % v
    return "%.1f ms" % v


def cell(m):
    if m is None:
        return ""
    if m["kind"] == "hyperfine":
        return "%s ± %s" % (ms(m["median_ms"]), ms(m["stddev_ms"]).replace(" ms", ""))
    if m["kind"] == "rss":
        return "%.1f MB (%d procs; ΣHWM %.1f MB)" % (
            m["peak_tree_rss_kb"] / 1024, m["procs_at_peak"], m["sum_hwm_kb"] / 1024)
    if m["kind"] == "skip":
        return "skipped: " + m["reason"]
    if m["kind"] == "value":
        return "%.1f MB" % (float(m["reason"]) / 1024)
    if m["kind"] == "ms":
        return ms(float(m["reason"]))
    return "FAILED: " + m.get("reason", "?").replace("|", "\\|")[:120]


def value(m):
    if m is None:
        return None
    if m["kind"] == "hyperfine":
        return m["median_ms"]
    if m["kind"] == "rss":
        return m["peak_tree_rss_kb"]
    if m["kind"] in ("value", "ms"):
        return float(m["reason"])
    return None


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    outdir, result, infofile = argv
    rows, order = load(outdir)
    try:
        with open(infofile) as f:
            info = json.load(f)
    except (OSError, ValueError):
        info = {}
    mach = machine()

    lines = []
    v = mach["versions"]
    lines.append("husk bench, %s (uid %d%s)%s, COLD=%s: %s, %s cores, kernel %s, "
                 "load %s; %s; %s; %s" % (
        mach["mode"], mach["uid"],
        "" if mach["mode"] == "root" else
        (", with a subuid range" if mach["subuid_range"] else ", no subuid range"),
        " QUICK" if mach["quick"] else "", mach["cold"],
        mach["cpu"], mach["cores"], mach["kernel"],
        "/".join("%.2f" % x for x in mach["loadavg_at_end"] or []),
        v["husk"] or "husk ?", v["podman"] or "podman not installed",
        v["hyperfine"] or "?"))
    lines.append("")
    lines.append("| row | husk | podman | other peers / floor | peer ÷ husk |")
    lines.append("|---|---|---|---|---|")
    for row in order:
        tools = rows[row]
        husk = tools.get("husk")
        pod = tools.get("podman")
        others = [t for t in tools if t not in ("husk", "podman")]
        oth = "; ".join("%s: %s" % (t.replace("|", "\\|"), cell(tools[t]))
                        for t in others)
        ratios = []
        hv = value(husk)
        for t in tools:
            if t == "husk":
                continue
            pv = value(tools[t])
            if hv and pv:
                ratios.append("%s %.2f×" % (t.replace("|", "\\|"), pv / hv))
        lines.append("| %s | %s | %s | %s | %s |" % (
            row, cell(husk), cell(pod), oth, ", ".join(ratios)))

    # targets (shared/BENCH.md)
    targets = []

    def med(row, tool):
        m = rows.get(row, {}).get(tool)
        return m["median_ms"] if m and m["kind"] == "hyperfine" else None

    def add(target, val, ok, unit=""):
        targets.append({"target": target, "value": "%s%s" % (val, unit), "ok": ok})

    none = "warm run --rm --network none busybox true"
    h_none = med(none, "husk")
    if h_none and med(none, "floor"):
        r = h_none / med(none, "floor")
        add("warm run --network none ≤ 1.5× the floor (%s)" % mach["mode"],
            round(r, 2), r <= 1.5, "×")
    if h_none and med(none, "podman"):
        r = med(none, "podman") / h_none
        add("warm run --network none ≥ 10× faster than podman", round(r, 1), r >= 10, "×")
    if mach["mode"] == "root" and h_none and med(none, "crun (bundle)"):
        c = med(none, "crun (bundle)")
        add("as root, warm run ≤ crun's bundle run (%s)" % ms(c), ms(h_none), h_none <= c)
    helper = "network helper alone: attach, configure tap0, ready"
    for row, tool in (("warm run --rm busybox true (default network)", "slirp4netns"),
                      ("warm run --rm --network pasta busybox true", "pasta")):
        h, alone = med(row, "husk"), med(helper, tool)
        if h and h_none and alone:
            budget = h_none + alone + 5
            add("%s ≤ --network none + %s alone + 5 ms (%s + %s + 5 = %s)" % (
                row, tool, ms(h_none), ms(alone), ms(budget)), ms(h), h <= budget)
        if h and med(row, "podman"):
            r = med(row, "podman") / h
            add("%s ≥ 5× faster than podman's" % row, round(r, 1), r >= 5, "×")
    par = med("32 parallel run --rm busybox sleep 1", "husk")
    if par:
        fl = med("32 parallel run --rm busybox sleep 1", "floor")
        add("32 parallel run --rm sleep 1 ≤ 1.1 s wall%s" % (
            " (the floor, 32 at once: %s)" % ms(fl) if fl else ""), ms(par), par <= 1100)
    for label in ("100 sequential run --rm", "100 sequential runs (records kept)"):
        a = value(rows.get(label + ": median of runs 1-10", {}).get("husk"))
        b = value(rows.get(label + ": median of runs 91-100", {}).get("husk"))
        if a and b:
            add("%s: no slow-down, runs 91-100 ≤ 1.1× runs 1-10" % label,
                "%s → %s" % (ms(a), ms(b)), b <= 1.1 * a)
    rss = value(rows.get("RSS of the foreground husk run parent (VmHWM, kB)", {}).get("husk"))
    if rss:
        add("peak RSS of the foreground run parent < 3 MB", "%.1f MB" % (rss / 1024),
            rss < 3 * 1024)

    for kind, dec in (("gzip", "gzip"), ("zstd", "zstd")):
        row = [r for r in order if r.startswith("cold pull debian:" + kind)]
        if not row:
            continue
        h, p = med(row[0], "husk"), med(row[0], "podman")
        if h and p:
            targets.append({"target": "debian:%s cold pull ≥ 2× faster than podman" % kind,
                            "value": round(p / h, 2), "ok": p / h >= 2.0})
        # husk syncs each layer before committing it: its write stage is
        # tar -x + sync; the figure against a plain tar -x is shown too
        for wrow, wtool, wname in (
                ("floor: write, durable (tar -x of the layer, then sync -f)",
                 "tar -x + sync", "durable write"),
                ("floor: write (tar -x of the layer)", "tar -x", "write, not synced")):
            floors = {
                "download": med("floor: download %s blob" % kind, "curl"),
                "decompress": med("floor: decompress %s blob" % kind, dec + " -dc"),
                wname: med(wrow, wtool),
            }
            if h and all(floors.values()):
                worst = max(floors, key=floors.get)
                if worst in ("download", "decompress") and wname != "durable write":
                    continue    # the same verdict as the line before
                targets.append({
                    "target": "debian:%s cold pull within 1.3× of the slowest stage alone "
                              "(%s %s)" % (kind, worst, ms(floors[worst])),
                    "value": round(h / floors[worst], 2), "ok": h / floors[worst] <= 1.3})
    rb = rows.get("peak RSS: pull busybox:latest", {}).get("husk")
    rd = rows.get("peak RSS: pull debian:gzip", {}).get("husk")
    if value(rb) and value(rd):
        targets.append({
            "target": "pull peak RSS bounded: debian:gzip (128 MB layer) vs busybox (1 MB)",
            "value": round(value(rd) / value(rb), 2), "ok": value(rd) / value(rb) < 2.0})
    if targets:
        lines.append("")
        lines.append("| target | value | met |")
        lines.append("|---|---|---|")
        for t in targets:
            lines.append("| %s | %s | %s |" % (t["target"], t["value"],
                                               "yes" if t["ok"] else "**no**"))
    lines.append("")
    lines.append("Times: hyperfine median ± stddev of cold runs (store emptied, "
                 "COLD=%s, and `sync` before each run). " % mach["cold"] + "Peak RSS: largest sum of VmRSS over the "
                 "process tree, sampled every 5 ms (ΣHWM = sum of each process's own "
                 "high-water mark, an upper bound). Results: %s" % result)
    text = "\n".join(lines)
    print(text)

    meas = [m for r in order for m in rows[r].values()]
    with open(result + ".tmp", "w") as f:
        json.dump({"machine": mach, "image": info, "rows": order,
                   "measurements": meas, "targets": targets,
                   "raw": os.path.abspath(outdir), "table": text}, f, indent=1)
    os.rename(result + ".tmp", result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
