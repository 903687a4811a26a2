#!/usr/bin/env python3
"""Runs a command and reports what it cost: peak anonymous memory, bytes
read and written, wall time.

usage: bench/measure.py OUT_FILE -- COMMAND [ARGS...]

Writes to OUT_FILE one JSON object:
  peak_rss_anon_mb  the largest RssAnon seen, sampling /proc/PID/status every
                    10 ms. RssAnon leaves out file pages (a memory-mapped
                    database, the page cache), which the kernel can drop; it
                    is the memory the process itself holds;
  read_mb, written_mb, read_calls, write_calls
                    from /proc/PID/io once the command has exited (read while
                    it is a zombie, so nothing is missed): every byte its
                    threads and reaped children passed through read/write
                    system calls, from the page cache or not;
  faulted_mb        pages the command touched for the first time (minor and
                    major page faults, 4 KB each): reads of memory-mapped
                    files, which read_mb does not see, and fresh memory;
  wall_seconds, exit_status.
SIGINT and SIGTERM are passed on to the command (to stop a server). The
command's exit status is returned.
"""
import json
import os
import signal
import subprocess
import sys
import time


def rss_anon_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def io_counters(pid):
    counters = {}
    with open(f"/proc/{pid}/io") as io:
        for line in io:
            key, value = line.split(":")
            counters[key] = int(value)
    return counters


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    out_file, command = sys.argv[1], sys.argv[3:]
    start = time.monotonic()
    process = subprocess.Popen(command)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda number, _: process.send_signal(number))
    peak = 0
    while True:
        # WNOWAIT leaves the exited command a zombie, whose /proc/PID/io
        # still holds its totals.
        done = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if done is not None:
            break
        peak = max(peak, rss_anon_kb(process.pid))
        time.sleep(0.01)
    wall = time.monotonic() - start
    io = io_counters(process.pid)
    _, wait_status, usage = os.wait4(process.pid, 0)
    status = os.waitstatus_to_exitcode(wait_status)
    process.returncode = status
    with open(out_file, "w") as out:
        json.dump({"peak_rss_anon_mb": round(peak / 1024, 1),
                   "read_mb": round(io["rchar"] / 1e6, 3), "written_mb": round(io["wchar"] / 1e6, 3),
                   "read_calls": io["syscr"], "write_calls": io["syscw"],
                   "faulted_mb": round((usage.ru_minflt + usage.ru_majflt) * 4096 / 1e6, 1),
                   "wall_seconds": round(wall, 4), "exit_status": status}, out)
        out.write("\n")
    sys.exit(status)


if __name__ == "__main__":
    main()
