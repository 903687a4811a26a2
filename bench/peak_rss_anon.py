#!/usr/bin/env python3
"""Runs a command and reports its peak anonymous memory (RssAnon).

usage: bench/peak_rss_anon.py OUT_FILE -- COMMAND [ARGS...]

Samples /proc/PID/status every 10 ms while the command runs and writes the
largest RssAnon seen, in MB, to OUT_FILE. RssAnon leaves out file pages
(a memory-mapped database, the page cache), which the kernel can drop; it is
the memory the process itself holds. The command's exit status is returned.
"""
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


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    out_file, command = sys.argv[1], sys.argv[3:]
    process = subprocess.Popen(command)
    peak = 0
    while process.poll() is None:
        peak = max(peak, rss_anon_kb(process.pid))
        time.sleep(0.01)
    with open(out_file, "w") as out:
        out.write(f"{peak / 1024:.1f}\n")
    sys.exit(process.returncode)


if __name__ == "__main__":
    main()
