"""How each pipeline stage's time and memory grow with the number of bars.

Bars are SYNTHETIC: a geometric random walk of hourly 24/7 bars (open/high/low/close/volume), which is enough to
measure cost growth, not to say anything about returns. Stages, each through its stable entry point:
  features  tradebot.features.build_features(bars)
  labels    tradebot.labels.direction_label(bars)
  fit       tradebot.models.LightGBMModel().fit(X, y)     (default parameters, 2 threads)
  predict   model.predict_proba(X)
  backtest  tradebot.backtest.run_backtest(bars, positions) (default costs)
  metrics   tradebot.metrics.full_metrics(result)
  report    the size-dependent part of a report: the run folder's parquet files and the equity/drawdown figure rendered
            to PNG (starting the papermill kernel and converting to HTML add a constant few seconds, whatever the size)
For each size (default 10k, 100k, 1M bars) it prints seconds and peak memory growth (resident set size sampled every
5 ms, above the level at the stage's start, so C/C++ allocations count), then the growth exponent per stage: the slope of
log(time) against log(bars) between the two largest sizes (1 = linear). Run: python benchmarks/scaling.py [--sizes 10000,100000]
Figures on a shared machine may be contended: the load average is printed beside them.

The one-long-series case (issue 16: the default report on 5,000,000 1-minute bars, about ten years, in <= 10 minutes and
<= 4 GB on 2 cores): `python benchmarks/scaling.py --bar 1m --sizes 5000000 --project`. `--project` adds the process's peak
memory and a projection of the default report at the largest size: its number of model fits (blocks x horizons, then the
other seeds and models) times the measured fit, plus one pass of every other stage. It is a projection from measured
stages, not a run of the report.

`--report` runs the default report itself on synthetic bars in this process: `walk_forward(bars, EvalConfig())` with its
stages timed (wall and CPU seconds, calls), then what the report template does with the result (the run folder, its six
figures, the interactive chart), and prints the whole report's wall and CPU time, the process's peak memory and the load
average. Run one size per process (peak memory is the process's): `python benchmarks/scaling.py --report --bar 1m --sizes 5000000`.

What each change for the long series bought (2 shared cores; wall figures under load are not comparable, so CPU seconds
are given; load average in brackets):
- before (issue 16): the report on 5M 1m bars did not finish in 15 min, its kernel reached about 14 GB; this script
  projected 24 min (50 fits: 7 blocks x 5 horizons + 5 folds x 3 other seeds/models, of 250,000 rows each, 23-26 s per
  fit) and measured 5.95 GB peak for its own stages, the report stage alone 162 s (full-resolution plots).
- long-series defaults (past 500,000 bars: 1 seed, 100,000 training rows, horizons 4h/1D/2D): 26 fits instead of 50, each
  on 100,000 rows; the default report on 300,000 1m bars with the threshold lowered to 200,000 measured fit+predict
  213 s CPU for its 26 fits (8.2 s each), the whole report 297 s CPU (load 5-7).
- the trial matrix's duplicates found by hashing columns instead of `T.drop_duplicates().T`: 39 trials x 100,000 bars
  21.3 s -> 0.05 s CPU; on 1M bars the old code was still in it after 7.9 CPU-minutes with 4.68 GB resident (py-spy).
- charts at most 2,000 points a line (causal): one equity + drawdown figure of 1M points 33.0 s -> 0.4 s CPU (load 6);
  the report's equity figure draws 5 equity lines and 2 drawdowns of 3M points on a 5M-bar run.
- selection backtests 8 configurations at a time: the largest matrix 39 -> 8 columns of up to 3M positions (4 copies).
- break-even by Brent's method: 49 -> 27 backtests per primary cost sweep, 43 -> 21 per other model (1.6 s CPU each
  on 3M bars); random baseline through the sweep kernel: 1.88 -> 0.65 s CPU per 4 draws on 1M bars (100 draws a run).
- permutation importance at most 50,000 rows a test block (a 5M-bar block holds 600,000: 40 predictions of it per
  fold), feature IC at most 100,000 bars a year (525,600 one-minute bars).
- memory: `prepare` keeps a view of the features instead of two copies (X[core], X[ok]: 2.4 GB each at 5M bars);
  `build_features` drops memo entries the current feature did not read (300,000 1m bars: +324 -> +255 MB for a
  150 MB frame); the HMM filter a state at a time (5M bars: +639 -> +448 MB, bit-identical); `predict_rows` scores
  100,000 rows at a time (a 600,000-row block was copied three times before LightGBM saw it).
  A fitted LightGBM model frees its binned training rows (5 models of 100,000 rows x 125 features: +162 -> +90 MB),
  and fold predictions share a view of the block's index.
- trial returns kept as copies: a backtest's `.returns` is a column of its 13-column book, and holding it held the whole
  book (5 x `.returns` of 1M-bar backtests: +496 MB, as copies +23 MB); the 39 trials of a 5M-bar run held 39 x 320 MB.
  This, not the fits, is what drove the kernel to 14 GB.
- the 5M-bar report, measured once with `--report` (load 9.0 at start, 4-7 during; before random_sharpes, the HMM, predict,
  LightGBM-dataset, index and trial-copy changes above): features and labels 2:09 CPU-minutes; the 26-fit loop (fits,
  predictions, 7 HMM builds, 5 importance and 5 selection passes) 20:28 wall, 550 s CPU, resident 4.3 -> 6.3 GB (peak
  6.8 GB); after the loop 8.5 GB during the random draws, then 18.5 GB in the trials (the book views above) when it was
  stopped to spare the shared machine. Projection for the code as it is now: about 935 s CPU (features 130, loop 550,
  backtests and checks about 240, report stage 15), about 12 minutes on 2 quiet cores (LightGBM's 2 threads halve the
  loop): the 10-minute target is not met by about 20%; peak memory still above 4 GB (the 2.4 GB float32 feature matrix
  lives for the whole run, five 320 MB backtest books are kept for the report, labels 0.45 GB, about 1 GB of libraries,
  JIT code and allocator slack).
- the 5M-bar report with every change above, measured end to end (load 2.6 at start, 1.1 at the end): 864.9 s wall
  (14.4 min), 929 s CPU, peak RSS 10.66 GB. By stage (CPU s): fit+predict 338 (26 calls), selection backtests 103,
  features+labels 86 (+3.0 GB), importance 70, backtests 64, calibration 42, HMM per block 32, feature IC 31, model
  comparison 29, skeptic 20 (+1.6 GB, to 10.66 GB), cost sweep 13, other 72, report stage 4.7. Both targets missed:
  time by 44%, memory by 2.7x (the post-loop stages hold the feature matrix, five backtest books and the trial matrix).
- a decision every k bars (`decide_every`, 10 on 5M bars: features built in chunks on the decision bars only, 500,000
  rows instead of 5,000,000; P(up) and positions there, held in between; the strategy still backtested on every bar;
  cost sweep, random draws and trials on one bar per decision): the same `--report`, load 1.9-3.3 with a helper session
  running: 5.6 min wall, 428 s CPU with the workers' (was 929), main process 3.31 GB, with its workers 4.23 GB.
  By stage (CPU s): features+labels 68 (+0.58 GB, in chunks), selection backtests 20, feature IC 17, backtests 13,
  random draws 6, calibration 6, model comparison 2, skeptic 1, cost sweep 1; fits in the workers.
- the main process takes walk-forward tasks as one of the workers (one worker process fewer), workers get only the bar
  columns fitted features read (`close` for the HMM): idle machine (load 1.0 at start): 3.9 min wall, 348 s CPU, main
  process 3.36 GB, with its workers 3.63 GB (at the end, in the strategy backtests). The main process ran 12 of the 26
  fits (82 s), the worker process the other 14 and the block features (124 s CPU).
- through the command line as a user runs it (`--write-bars`, then `benchmarks/tree_time.py -- tradebot report --data
  FILE`: the CLI process, papermill's kernel, its worker and the forkserver, summed): before the fixes below 4.0 min,
  4.92 GB (the CLI process held 1.09 GB after checking the file: Arrow's allocator kept 770 MB the parquet read freed;
  the kernel held the validation report's second copy of the bars). After releasing Arrow's pool after reading and
  validating, `checked_bars` returning the report's own frame, buy-and-hold's book slimmed and the forkserver stopped
  after the pool (load 0.9 at start): **3.9 min wall, 325 s CPU, 3.64 GB peak for the whole process tree** (kernel
  3.05 GB, worker 1.20 GB, CLI process 1.11 GB while checking the file, then about 0.4 GB). Both targets met.
"""
import argparse, io, os, threading, time, math
import numpy as np, pandas as pd
from tree_time import descendants, _rss_mb  # beside this script

def rss_mb(pid='self')->float:
    with open(f'/proc/{pid}/statm') as f: return int(f.read().split()[1])*os.sysconf('SC_PAGE_SIZE')/2**20

TREE, TREE_CPU = {os.getpid()}, {}  # this process and those it started; their CPU seconds when last seen

def tree_rss_mb()->float:
    "Resident memory of this process and every process it started (the walk-forward's worker processes), summed; notes each child's CPU seconds in `TREE_CPU`."
    alive = descendants(TREE)
    TREE_CPU.update({pid: c for pid, c in alive.items() if pid != os.getpid()})
    return sum(_rss_mb(pid) for pid in alive)

class Peak:
    "Samples RSS in a thread while a stage runs."
    def __enter__(self):
        self.start = self.peak = rss_mb(); self.stop = False
        def loop():
            while not self.stop: self.peak = max(self.peak, rss_mb()); time.sleep(0.005)
        self.th = threading.Thread(target=loop, daemon=True); self.th.start(); self.t = time.perf_counter(); return self
    def __exit__(self, *a):
        self.secs = time.perf_counter() - self.t; self.stop = True; self.th.join(); self.peak = max(self.peak, rss_mb())

def synthetic_bars(n:int, seed:int=0, bar:str='1h')->pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.date_range('2000-01-01', periods=n, freq=pd.Timedelta(bar), tz='UTC', name='ts')
    c = 100*np.exp(np.cumsum(rng.normal(0, 0.01, n))); o = np.r_[100.0, c[:-1]]
    hi = np.maximum(o, c)*np.exp(np.abs(rng.normal(0, 0.003, n))); lo = np.minimum(o, c)*np.exp(-np.abs(rng.normal(0, 0.003, n)))
    return pd.DataFrame(dict(open=o, high=hi, low=lo, close=c, volume=rng.lognormal(8, 1, n)), index=idx)

FIT_ROWS = {}  # bars -> rows the fit stage was trained on
FULL_RES = False  # --full-res-plots: draw every point, as the report did before it thinned its charts

def run(n:int, bar:str='1h', cap:int|None=None)->dict:
    from tradebot.features import build_features
    from tradebot.labels import direction_label
    from tradebot.models import LightGBMModel
    from tradebot.backtest import run_backtest
    from tradebot.metrics import full_metrics
    bars = synthetic_bars(n, bar=bar); out = {}
    def stage(name, f):
        c = time.process_time()
        with Peak() as p: r = f()
        out[name] = (p.secs, p.peak - p.start)
        print(f"  {n:,} bars, {name}: {p.secs:.1f}s wall, {time.process_time() - c:.1f}s CPU, {p.peak - p.start:+.0f} MB (load {os.getloadavg()[0]:.1f})", flush=True)
        return r
    X = stage('features', lambda: build_features(bars))
    if X.shape[1] == 0:  # the feature registry is empty (being rebuilt): say so, and fit on simple lagged returns instead
        print(f"  note: build_features returned no columns at {n:,} bars; the model stages use 5 lagged log returns", flush=True)
        r = np.log(bars.close).diff()
        X = pd.DataFrame({f'ret__lag{k}': r.shift(k) for k in range(5)}, index=bars.index).astype('float32')
    from tradebot.evaluation import default_horizons
    h = default_horizons(bar)[0]  # the reference horizon at this bar size (24 on 1h bars, 1,440 on 1m)
    lab = stage('labels', lambda: direction_label(bars, h))
    y = lab.iloc[:, 0]
    rows = np.arange(len(X))
    if cap and len(rows) > cap:  # as the evaluation does past `max_train_rows`: every k-th bar, the latest kept
        rows = rows[::-1][::math.ceil(len(rows)/cap)][::-1]
        print(f"  fit on {len(rows):,} of {n:,} rows (max_train_rows={cap:,}, as the evaluation thins a long training stretch)", flush=True)
    FIT_ROWS[n] = len(rows)
    model = stage('fit', lambda: LightGBMModel(n_jobs=2).fit(X.iloc[rows], y.iloc[rows]))
    p = stage('predict', lambda: model.predict_proba(X))
    pos = pd.Series(np.where(p > 0.5, 1.0, -1.0), index=bars.index)
    res = stage('backtest', lambda: run_backtest(bars, pos))
    stage('metrics', lambda: full_metrics(res))
    stage('report', lambda: report_stage(res, p))
    return out

def report_stage(res, p):
    "Write the run folder's parquet files and render the equity and drawdown figure, as a report does."
    import io, tempfile
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    with tempfile.TemporaryDirectory() as d:
        pd.DataFrame({'p': p, 'equity': res.equity}, index=res.equity.index).to_parquet(f'{d}/predictions.parquet')
        res.trades.to_parquet(f'{d}/trades.parquet')
        from tradebot.report import _thin  # as plot_equity draws a long series: at most 2,000 points a line, causally
        e, dd = (res.equity, res.drawdown) if FULL_RES else (_thin(res.equity), _thin(res.drawdown, how='min'))
        fig, (a, b) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
        a.plot(e.index, e, lw=1); b.fill_between(dd.index, dd, 0)
        fig.savefig(io.BytesIO(), format='png', dpi=100); plt.close(fig)

def peak_rss_mb()->float:
    "The process's peak resident set size so far (VmHWM)."
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmHWM'))/1024

def project(n:int, bar:str, stages:dict, cap:int|None)->None:
    "What the default report would take at `n` bars: its fits from the default configuration, each like the measured fit, plus the other stages once."
    from tradebot.evaluation import EvalConfig, resolve_defaults, model_seeds
    cfg = resolve_defaults(EvalConfig(), synthetic_bars(n, bar=bar))[0]; grid = cfg.horizons  # the defaults at this length (long series: fewer)
    blocks = cfg.inner_folds + cfg.n_folds
    extra = sum(len(model_seeds(k, cfg)) for k in cfg.models) - 1  # the other seeds and models, once per outer fold
    fits = blocks*len(grid) + cfg.n_folds*extra
    train_share = np.mean([cfg.min_train + (1 - cfg.min_train)*k/cfg.n_folds for k in range(cfg.n_folds)])  # expanding windows
    rows = n*train_share*(1 - cfg.calibration_frac)            # a fit's training rows, on average
    fit_rows = min(rows, cap or rows)                           # thinned to every k-th bar past `max_train_rows`
    t_fit = stages['fit'][0]*fit_rows/FIT_ROWS[n]               # LightGBM is about linear in rows
    rest = sum(t for k, (t, _) in stages.items() if k != 'fit')
    print(f"projection, default report on {n:,} {bar} bars: {fits} fits (({cfg.inner_folds} inner + {cfg.n_folds} outer blocks) x "
          f"{len(grid)} horizons {grid} + {cfg.n_folds} folds x {extra} other seeds/models) on about {fit_rows:,.0f} rows "
          f"(max_train_rows={cap}) of about {t_fit:.0f} s each = {fits*t_fit/60:.1f} min (without the cap: "
          f"{fits*stages['fit'][0]*rows/FIT_ROWS[n]/60:.0f} min), plus {rest:.0f} s for one pass of the other stages; target 10 min", flush=True)

STAGES = {  # tradebot.evaluation name -> stage label; a call inside another timed call counts for the outer one
    'prepare': 'features+labels (prepare)', 'build_features': 'fitted features per block', 'fit_predict': 'fit+predict',
    'calibrate_on_history': 'calibration', 'select_config': 'selection backtests', 'model_importance': 'out-of-fold importance',
    'cost_sweep': 'cost sweep', '_bt': 'backtests (models, baselines, random draws, trials, folds)', 'skeptic': 'skeptic (PBO, DSR, IC decay)',
    'feature_ic': 'feature IC', 'compare_models': 'model comparison', 'grid_features': 'features on the decision bars (in chunks)',
    'random_sharpes': 'random draws'}

PEAK_AT = {}  # stage -> the process's largest RSS (MB) seen during it

def timed_report(n:int, bar:str='1m', out:str|None=None, **cfg)->dict:
    "The default report on `n` synthetic bars in this process: walk_forward with its stages timed, then what the template does with the result."
    import tempfile, functools, resource, tradebot.evaluation as ev
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    from tradebot import report as rp
    bars = synthetic_bars(n, bar=bar); bars.attrs['source'] = f'synthetic {bar} x {n:,}'
    acc, depth, hw = {}, [0], {'peak': rss_mb(), 'stop': False, 'tree': 0.0, 'stage': 'start', 'tree_at': ''}
    def sample():
        i = 0
        while not hw['stop']:
            hw['peak'] = max(hw['peak'], rss_mb()); time.sleep(0.005); i += 1
            if i % 10 == 0 and (t := tree_rss_mb()) > hw['tree']: hw['tree'], hw['tree_at'] = t, hw['stage']  # with the worker processes, every 50 ms
    th = threading.Thread(target=sample, daemon=True); th.start()
    def wrap(name, f):
        @functools.wraps(f)
        def g(*a, **k):
            depth[0] += 1; t, c = time.perf_counter(), time.process_time()
            if depth[0] == 1: r0 = hw['peak'] = rss_mb(); hw['stage'] = name
            try: return f(*a, **k)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    w, cc, m, mm = acc.get(name, (0.0, 0.0, 0, 0.0))
                    acc[name] = (w + time.perf_counter() - t, cc + time.process_time() - c, m + 1, max(mm, hw['peak'] - r0))
                    PEAK_AT[name] = max(PEAK_AT.get(name, 0.0), hw['peak']); hw['stage'] = f'after {name}'
        return g
    saved = {k: getattr(ev, k) for k in STAGES}
    for k, f in saved.items(): setattr(ev, k, wrap(k, f))
    t0, c0 = time.perf_counter(), time.process_time()
    try: res = ev.walk_forward(bars, ev.EvalConfig(**cfg), progress=True)
    finally:
        for k, f in saved.items(): setattr(ev, k, f)
    t_wf, c_wf = time.perf_counter() - t0, time.process_time() - c0
    print(f"  walk_forward done: {t_wf:.1f} s wall, {c_wf:.1f} s CPU, peak RSS so far {peak_rss_mb()/1024:.2f} GB", flush=True)
    t1, c1 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as d:
        ev.save_run(res, out or d)
        for f in (rp.plot_equity, rp.plot_trades, rp.plot_random, rp.plot_cost_sensitivity, rp.plot_reliability, rp.plot_importance):
            fig = f(res); fig.savefig(io.BytesIO(), format='png', dpi=100); plt.close(fig)
        html = rp.interactive_html(res)
    t_rep, c_rep = time.perf_counter() - t1, time.process_time() - c1
    hw['stop'] = True
    print(f"\nreport on {n:,} synthetic {bar} bars (defaults: {res.metrics['defaults']['long_series']})")
    for k, (w, c, m, mm) in sorted(acc.items(), key=lambda kv: -kv[1][1]):
        print(f"  {STAGES[k]:<58} {w:7.1f} s wall {c:7.1f} s CPU  ({m} calls)  RSS up to {PEAK_AT[k]/1024:.2f} GB (+{mm:.0f} MB in a call)")
    rest = t_wf - sum(v[0] for v in acc.values())
    print(f"  {'other walk-forward work':<58} {rest:7.1f} s wall")
    print(f"  walk_forward total {t_wf:.1f} s wall, {c_wf:.1f} s CPU; report stage (run folder, 6 figures, interactive chart {len(html)/1e6:.1f} MB) "
          f"{t_rep:.1f} s wall, {c_rep:.1f} s CPU")
    ch_cpu = sum(TREE_CPU.values())  # the pool's workers are children of the forkserver, which this process never waits for
    print(f"  worker processes (and the forkserver): {ch_cpu:.1f} s CPU; peak RSS of this process and its workers together {hw['tree']/1024:.2f} GB "
          f"(sampled every 50 ms; reached {hw['tree_at']})")
    print(f"  whole report {t_wf + t_rep:.1f} s wall ({(t_wf + t_rep)/60:.1f} min), {c_wf + c_rep + ch_cpu:.1f} s CPU with the workers'; peak RSS {peak_rss_mb()/1024:.2f} GB; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; target 10 min and 4 GB", flush=True)
    return dict(acc=acc, wall=t_wf + t_rep)

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--sizes', default='10000,100000,1000000')
    ap.add_argument('--bar', default='1h', help="bar size of the synthetic bars, e.g. 1h or 1m")
    ap.add_argument('--project', action='store_true', help='print peak memory and project the default report at the largest size')
    ap.add_argument('--max-train-rows', type=int, default=None, help="thin the fit stage's rows as the evaluation does (default: all rows; with --project the evaluation's default)")
    ap.add_argument('--full-res-plots', action='store_true', help="the report stage draws every point (the figures before the charts were thinned)")
    ap.add_argument('--long-series-bars', type=int, default=None, help="--report: EvalConfig.long_series_bars (default: the evaluation's)")
    ap.add_argument('--report', action='store_true', help='run the default report (walk_forward and its figures) at each size and time its stages')
    ap.add_argument('--write-bars', type=int, default=None, help="write this many synthetic bars to --to (a parquet file) for `tradebot report --data`, and stop")
    ap.add_argument('--to', default='/tmp/synthetic_bars.parquet')
    a = ap.parse_args()
    if a.write_bars:
        b = synthetic_bars(a.write_bars, bar=a.bar); b.to_parquet(a.to)
        print(f"{len(b):,} synthetic {a.bar} bars {b.index[0]} .. {b.index[-1]} -> {a.to}"); return
    global FULL_RES; FULL_RES = a.full_res_plots
    if a.report:
        print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} cores", flush=True)
        for n in (int(s) for s in a.sizes.split(',')): timed_report(n, a.bar, **({} if a.long_series_bars is None else dict(long_series_bars=a.long_series_bars)))
        return
    from tradebot.evaluation import EvalConfig
    from tradebot.evaluation import MAX_TRAIN_ROWS, LONG_SERIES
    default_cap = lambda n: LONG_SERIES['max_train_rows'] if n > EvalConfig().long_series_bars else MAX_TRAIN_ROWS  # as resolve_defaults does
    caps = {int(n): a.max_train_rows or (default_cap(int(n)) if a.project else None) for n in a.sizes.split(',')}
    sizes = [int(s) for s in a.sizes.split(',')]
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} cores", flush=True)
    from tradebot.backtest import run_backtest; b = synthetic_bars(100); run_backtest(b, pd.Series(0.0, index=b.index))  # numba warm-up
    res = {}
    for n in sizes:
        res[n] = run(n, a.bar, caps[n])
        print(f"{n:>9,} bars: " + "  ".join(f"{k} {t:.2f}s/{m:+.0f}MB" for k, (t, m) in res[n].items()), flush=True)
    if len(sizes) >= 2:
        a_, b_ = sizes[-2], sizes[-1]
        print(f"growth exponent (time, {a_:,} -> {b_:,} bars; 1 = linear):")
        for k in res[b_]:
            t0, t1 = res[a_][k][0], res[b_][k][0]
            print(f"  {k:<9} {math.log(t1/t0)/math.log(b_/a_):.2f}   peak memory {res[a_][k][1]:+.0f} -> {res[b_][k][1]:+.0f} MB")
    if a.project:
        print(f"peak resident memory of the whole run: {peak_rss_mb()/1024:.2f} GB (target 4 GB); "
              f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        project(sizes[-1], a.bar, res[sizes[-1]], caps[sizes[-1]])

if __name__ == '__main__': main()
