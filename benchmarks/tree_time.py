"""Wall and CPU time of a command and every process it starts (a report's notebook kernel and its fit workers included),
with the load average before and after. `/usr/bin/time` misses the CPU of processes nobody waits for (a
forkserver's workers); this polls /proc for the command's descendants every 0.2 s and keeps each one's last
user+system time (a process that lives under 0.2 s may be missed: a few seconds at most), and the peak of the tree's
resident memory summed over its processes at each poll (what the machine must hold: kernel, workers and forkserver).

The one-long-series case of issue 16 (the default report on 5,000,000 one-minute bars, <= 10 minutes and <= 4 GB on 2
cores), run as a user runs it:
  .venv/bin/python benchmarks/scaling.py --write-bars 5000000 --bar 1m --to /tmp/syn_1m_5M.parquet
  .venv/bin/python benchmarks/tree_time.py -- .venv/bin/tradebot report --data /tmp/syn_1m_5M.parquet --out /tmp/syn5m

Usage: .venv/bin/python benchmarks/tree_time.py -- .venv/bin/tradebot report --params reports/params/btc_1h.yaml --out /tmp/x"""
import os, subprocess, sys, time

def _stat(pid):
    try:
        with open(f'/proc/{pid}/stat') as f: s = f.read()
    except OSError: return None
    rest = s[s.rindex(')') + 2:].split()
    return int(rest[1]), (int(rest[11]) + int(rest[12]))/os.sysconf('SC_CLK_TCK')  # ppid, utime + stime in seconds

def descendants(tree:set)->dict:
    "CPU seconds of every live process in `tree` or descended from one in it; `tree` (pids, the root first) grows with them."
    stats = {int(d): st for d in os.listdir('/proc') if d.isdigit() and (st := _stat(d))}
    grew = True
    while grew:  # descendants: processes whose parent is in the tree
        new = {pid for pid, (pp, _) in stats.items() if pp in tree and pid not in tree}
        tree |= new; grew = bool(new)
    return {pid: stats[pid][1] for pid in tree & set(stats)}

def _rss_mb(pid)->float:
    try:
        with open(f'/proc/{pid}/statm') as f: return int(f.read().split()[1])*os.sysconf('SC_PAGE_SIZE')/2**20
    except OSError: return 0.0

def _cmd(pid)->str:
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f: return f.read().replace(b'\0', b' ').decode(errors='replace').strip()[-70:]
    except OSError: return '?'

def main(cmd):
    load0, t0 = open('/proc/loadavg').read().split()[:3], time.perf_counter()
    p = subprocess.Popen(cmd)
    cpu, tree, peak, mem, each = {}, {p.pid}, 0, 0.0, {}
    while p.poll() is None:
        alive = descendants(tree)
        for pid, c in alive.items(): cpu[pid] = max(cpu.get(pid, 0.0), c)
        peak = max(peak, len(alive))
        now = {pid: _rss_mb(pid) for pid in alive}
        mem = max(mem, sum(now.values()))
        for pid, m in now.items(): each[pid] = max(each.get(pid, (0.0, ''))[0], m), each.get(pid, (0, ''))[1] or _cmd(pid)
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    total = sum(cpu.values())
    print(f"exit {p.returncode}: wall {wall:.0f} s ({wall/60:.1f} min), CPU (user+sys, {len(cpu)} processes) {total:.0f} s ({total/60:.1f} min), "
          f"CPU/wall {total/wall:.2f}; peak resident memory of the tree {mem/1024:.2f} GB (at most {peak} processes at once); load average before {' '.join(load0)}, after {' '.join(open('/proc/loadavg').read().split()[:3])}", flush=True)
    for pid, (m, c) in sorted(each.items(), key=lambda kv: -kv[1][0])[:6]:
        print(f"  process {pid}: peak {m/1024:.2f} GB  ...{c}")
    return p.returncode

if __name__ == '__main__':
    args = sys.argv[1:]
    sys.exit(main(args[1:] if args[:1] == ['--'] else args))
