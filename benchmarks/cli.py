"""Start-up time of the `tradebot` command: wall time of each light command, best of 5, as a user types it.

Target: <= 0.5 s for `tradebot --help`, `version`, `data --help`, `data list --help`, `features --help`,
`runs --help` (the CLI imports only typer at start; each command imports what it needs). `data list` and
`features list` do real work (scanning the data folders, importing the feature registry) and are shown beside
them, with a bare `python -c pass` as the floor no command can beat. Also prints what `import tradebot.cli` pulls in:
pandas, scikit-learn, the evaluation or the report module there would be a regression.
Run with `.venv/bin/python benchmarks/cli.py`; on a shared machine, figures rise with its load (printed).
"""
import os, subprocess, sys, time
from pathlib import Path

BIN = Path(sys.executable).parent
TRADEBOT = str(BIN/'tradebot')
LIGHT = [['--help'], ['version'], ['data', '--help'], ['data', 'list', '--help'], ['features', '--help'], ['runs', '--help'], ['report', '--help']]
WORK = [['data', 'list'], ['features', 'list'], ['runs', 'list']]

def best_of(cmd, repeat=5):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); r = subprocess.run(cmd, capture_output=True); ts.append(time.perf_counter() - t)
        if r.returncode: raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr.decode()[-500:]}")
    return min(ts)

if __name__ == '__main__':
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'python -c pass':<34}{best_of([sys.executable, '-c', 'pass']):6.2f} s  (floor)")
    worst = 0
    for a in LIGHT:
        s = best_of([TRADEBOT, *a]); worst = max(worst, s)
        print(f"{'tradebot ' + ' '.join(a):<34}{s:6.2f} s")
    print(f"start-up, worst light command: {worst:.2f} s (target <= 0.5){'' if worst <= 0.5 else '  MISSED'}")
    for a in WORK: print(f"{'tradebot ' + ' '.join(a):<34}{best_of([TRADEBOT, *a], 3):6.2f} s  (does work)")
    mods = subprocess.run([sys.executable, '-c', 'import sys, tradebot.cli; print(" ".join(sorted(sys.modules)))'], capture_output=True, text=True).stdout.split()
    heavy = [m for m in ('pandas', 'numpy', 'sklearn', 'scipy', 'matplotlib', 'tradebot.evaluation', 'tradebot.report', 'tradebot.features', 'lightgbm') if m in mods]
    print(f"imported by `import tradebot.cli`: {len(mods)} modules; heavy ones: {', '.join(heavy) or 'none'}")
