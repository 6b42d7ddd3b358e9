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
Figures on a shared machine may be contended.
"""
import argparse, os, threading, time, math
import numpy as np, pandas as pd

def rss_mb()->float:
    with open('/proc/self/statm') as f: return int(f.read().split()[1])*os.sysconf('SC_PAGE_SIZE')/2**20

class Peak:
    "Samples RSS in a thread while a stage runs."
    def __enter__(self):
        self.start = self.peak = rss_mb(); self.stop = False
        def loop():
            while not self.stop: self.peak = max(self.peak, rss_mb()); time.sleep(0.005)
        self.th = threading.Thread(target=loop, daemon=True); self.th.start(); self.t = time.perf_counter(); return self
    def __exit__(self, *a):
        self.secs = time.perf_counter() - self.t; self.stop = True; self.th.join(); self.peak = max(self.peak, rss_mb())

def synthetic_bars(n:int, seed:int=0)->pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.date_range('2000-01-01', periods=n, freq='h', tz='UTC', name='ts')
    c = 100*np.exp(np.cumsum(rng.normal(0, 0.01, n))); o = np.r_[100.0, c[:-1]]
    hi = np.maximum(o, c)*np.exp(np.abs(rng.normal(0, 0.003, n))); lo = np.minimum(o, c)*np.exp(-np.abs(rng.normal(0, 0.003, n)))
    return pd.DataFrame(dict(open=o, high=hi, low=lo, close=c, volume=rng.lognormal(8, 1, n)), index=idx)

def run(n:int)->dict:
    from tradebot.features import build_features
    from tradebot.labels import direction_label
    from tradebot.models import LightGBMModel
    from tradebot.backtest import run_backtest
    from tradebot.metrics import full_metrics
    bars = synthetic_bars(n); out = {}
    def stage(name, f):
        with Peak() as p: r = f()
        out[name] = (p.secs, p.peak - p.start); return r
    X = stage('features', lambda: build_features(bars))
    if X.shape[1] == 0:  # the feature registry is empty (being rebuilt): say so, and fit on simple lagged returns instead
        print(f"  note: build_features returned no columns at {n:,} bars; the model stages use 5 lagged log returns", flush=True)
        r = np.log(bars.close).diff()
        X = pd.DataFrame({f'ret__lag{k}': r.shift(k) for k in range(5)}, index=bars.index).astype('float32')
    lab = stage('labels', lambda: direction_label(bars))
    y = lab.iloc[:, 0]
    model = stage('fit', lambda: LightGBMModel(n_jobs=2).fit(X, y))
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
        fig, (a, b) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
        a.plot(res.equity.index, res.equity, lw=1); b.fill_between(res.drawdown.index, res.drawdown, 0)
        fig.savefig(io.BytesIO(), format='png', dpi=100); plt.close(fig)

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--sizes', default='10000,100000,1000000'); a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(',')]
    from tradebot.backtest import run_backtest; b = synthetic_bars(100); run_backtest(b, pd.Series(0.0, index=b.index))  # numba warm-up
    res = {}
    for n in sizes:
        res[n] = run(n)
        print(f"{n:>9,} bars: " + "  ".join(f"{k} {t:.2f}s/{m:+.0f}MB" for k, (t, m) in res[n].items()), flush=True)
    if len(sizes) >= 2:
        a_, b_ = sizes[-2], sizes[-1]
        print(f"growth exponent (time, {a_:,} -> {b_:,} bars; 1 = linear):")
        for k in res[b_]:
            t0, t1 = res[a_][k][0], res[b_][k][0]
            print(f"  {k:<9} {math.log(t1/t0)/math.log(b_/a_):.2f}   peak memory {res[a_][k][1]:+.0f} -> {res[b_][k][1]:+.0f} MB")

if __name__ == '__main__': main()
