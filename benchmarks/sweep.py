"""What a sweep task costs, how well the local engine uses the cores, and how long a 1,600-task sweep would take.

The 1,600-task sweep is 10 symbols x 4 timeframes x 8 model configurations x 5 seeds. Measured here on the
shipped example's tasks (BTC/ETH 1h from 2024-07, 3 folds, one seed each; the bundled EURUSD sample where
../shared/data is absent): the same tasks once on one worker and once on every core, from fresh folders.
Parallel efficiency = serial wall / (parallel wall x workers). The projection assumes tasks like these and the
efficiency measured here (and, for comparison, 90%); the task cost is its CPU time (one thread per task), which
other jobs on a shared machine inflate less than wall time. A task's cost grows roughly linearly with its bars,
so the printed per-1,000-bar cost scales it to other spans. Run with `.venv/bin/python benchmarks/sweep.py [--tasks 4] [--engine ray]`.
"""
import argparse, math, os, tempfile, time
from pathlib import Path
import pandas as pd
from tradebot.config import get_settings, project_root
from tradebot.sweep import load_sweep, run_sweep, prepare_bars, _cores

def spec_for_bench(n_tasks:int):
    spec = load_sweep(project_root()/'sweeps'/'example.yaml')
    shared = get_settings().shared_data_dir
    if shared is None or not Path(shared).is_dir():
        spec = spec.model_copy(update=dict(data=[dict(data='sample:EURUSD')] * 1))
    seeds = list(range(max(1, math.ceil(n_tasks/(len(spec.data)*len(spec.grid.get('models', [None])))))))
    return spec.model_copy(update=dict(name='bench', grid={**spec.grid, 'seed': seeds}))

def timed(spec, engine, workers):
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter(); res = run_sweep(spec, Path(d)/'s', engine=engine, workers=workers, progress=False, report=False)
        return time.perf_counter() - t, res

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--tasks', type=int, default=4); ap.add_argument('--engine', default='local')
    a = ap.parse_args()
    spec = spec_for_bench(a.tasks)
    t = time.perf_counter(); bars = [prepare_bars(d) for d in spec.data]; t_prep = time.perf_counter() - t
    n_bars = sum(len(b) for b in bars)/len(bars)
    cores = _cores()
    w1, r1 = timed(spec, a.engine, 1)
    wn, rn = timed(spec, a.engine, cores)
    n = len(r1)
    assert (r1.status == 'ok').all() and (rn.status == 'ok').all(), 'a benchmark task failed'
    per_task, cpu_task = r1.seconds.median(), r1.cpu_seconds.median()
    eff = w1/(wn*cores)
    print(f"machine: {cores} cores, load average {os.getloadavg()[0]:.1f} when done (other jobs share it); engine {a.engine}; "
          f"{n} tasks of {n_bars:,.0f} bars, models {sorted(set(r1.models))}, {spec.base.get('n_folds')} folds")
    print(f"bars prepared once per file: {t_prep:.1f} s for {len(bars)} file(s)")
    print(f"per task (1 worker): median {per_task:.1f} s wall, {cpu_task:.1f} s CPU; min {r1.seconds.min():.1f} s, max {r1.seconds.max():.1f} s "
          f"({1000*cpu_task/n_bars:.2f} CPU s per 1,000 bars)")
    print(f"1 worker: {w1:.1f} s wall ({w1/n:.1f} s per task incl. start-up);  {cores} workers: {wn:.1f} s wall "
          f"(tasks' CPU/wall there: {rn.cpu_seconds.sum()/rn.seconds.sum():.0%})")
    print(f"parallel efficiency on {cores} workers: {eff:.0%}  (speed-up {w1/wn:.2f}x)")
    full = cpu_task*65_653/n_bars   # the whole 2019-2026 1h history, at the measured cost per bar
    hm = lambda s: f"{int(s//3600)}h{int(s%3600//60):02d}m" if s >= 3600 else f"{s/60:.1f} min"
    print(f"projection, 1,600 tasks, one CPU each; wall time on N workers (tasks like these: {cpu_task:.1f} CPU s; "
          f"on the full 1h history, 65,653 bars: ~{full:.0f} CPU s):")
    print(f"  {'workers':>7}  {'like these, ' + format(eff, '.0%') + ' eff.':>20}  {'like these, 90%':>16}  {'full history, 90%':>18}")
    for N in (2, 8, 32, 128, 512, 1600):
        waves = math.ceil(1600/N)
        print(f"  {N:>7}  {hm(waves*cpu_task/eff):>20}  {hm(waves*cpu_task/0.9):>16}  {hm(waves*full/0.9):>18}")
