#!/usr/bin/python3
"""Peak memory of a command and all its descendants.

usage: /usr/bin/python3 bench/peak-rss.py [--interval MS] [--json FILE] -- CMD [ARG...]

Runs CMD and, every MS milliseconds (default 5), walks its process tree
through /proc/PID/task/TID/children and sums VmRSS over every live process
of the tree; the largest sum is "peak_tree_rss". This is sampling: a peak
shorter than the interval can be missed, and a process that lives less than
one interval is not seen at all. Two more figures bracket it:

  sum_hwm      the sum over every process seen of its last-read VmHWM (its
               own high-water mark). The peaks of different processes may
               not coincide, so this is an upper bound of the true peak
               (for processes seen at least once).
  top_maxrss   ru_maxrss of CMD itself from wait4() (exact, one process).
  children_maxrss  RUSAGE_CHILDREN ru_maxrss: the largest single
               descendant (exact, max not sum).

Prints one JSON object (kB) on stdout, or writes it to FILE; exits with
CMD's status. CMD's stdout/stderr are passed through unless redirected.
"""

import json
import os
import resource
import sys
import time


def read_status(pid):
    rss = hwm = 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError):
        return None
    return rss, hwm


def children(pid):
    out = []
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tids:
        try:
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out.extend(int(x) for x in f.read().split())
        except (OSError, ValueError):
            pass
    return out


def tree(root):
    seen, todo = [], [root]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo.extend(children(p))
    return seen


def main(argv):
    interval, jsonfile = 5.0, None
    while argv and argv[0] != "--":
        a = argv.pop(0)
        if a == "--interval" and argv:
            interval = float(argv.pop(0))
        elif a == "--json" and argv:
            jsonfile = argv.pop(0)
        else:
            sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
            return 2
    if not argv or argv[0] != "--" or len(argv) < 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    cmd = argv[1:]
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            sys.stderr.write("peak-rss: %s: %s\n" % (cmd[0], e))
            os._exit(127)
    peak, peak_procs, max_procs, samples = 0, 0, 0, 0
    hwm = {}  # (pid, starttime-less) -> last VmHWM seen
    status = None
    while True:
        r = os.wait4(pid, os.WNOHANG)
        if r[0] == pid:
            status, ru = r[1], r[2]
            break
        total, n = 0, 0
        for p in tree(pid):
            s = read_status(p)
            if s is None:
                continue
            total += s[0]
            n += 1
            hwm[p] = max(hwm.get(p, 0), s[1])
        samples += 1
        if total > peak:
            peak, peak_procs = total, n
        max_procs = max(max_procs, n)
        time.sleep(interval / 1000.0)
    wall = time.monotonic() - t0
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = {
        "command": cmd,
        "peak_tree_rss_kb": peak,
        "procs_at_peak": peak_procs,
        "max_procs": max_procs,
        "sum_hwm_kb": sum(hwm.values()),
        "top_maxrss_kb": ru.ru_maxrss,
        "children_maxrss_kb": ch.ru_maxrss,
        "samples": samples,
        "interval_ms": interval,
        "wall_s": round(wall, 3),
        "exit": os.waitstatus_to_exitcode(status),
    }
    out = json.dumps(res)
    if jsonfile:
        with open(jsonfile, "w") as f:
            f.write(out + "\n")
    else:
        print(out)
    return res["exit"] if res["exit"] >= 0 else 128 - res["exit"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
