"""Model fit and prediction speed: LightGBM + XGBoost + RandomForest (the default ensemble's members) fitted on
50,000 rows x 120 features, beside a single LightGBM; and the latency of predicting one new bar with the full ensemble.

Targets (issue 9): the three members fit in <= 60 s on 2 cores; one bar through the full ensemble in <= 10 ms.
Usage: .venv/bin/python benchmarks/models.py [--rows 50000] [--features 120] [--jobs 2]"""
import argparse, os, time
import numpy as np, pandas as pd
from tradebot.models import make_model
import tradebot.ensemble  # registers the ensemble kinds
from tradebot.ensemble import MEMBER_CACHE

ap = argparse.ArgumentParser()
ap.add_argument('--rows', type=int, default=50_000); ap.add_argument('--features', type=int, default=120)
ap.add_argument('--jobs', type=int, default=2); ap.add_argument('--calls', type=int, default=300)
a = ap.parse_args()

rng = np.random.default_rng(0)
idx = pd.date_range('2018-01-01', periods=a.rows, freq='h', tz='UTC')
X = pd.DataFrame(rng.normal(size=(a.rows, a.features)).astype('float32'), index=idx, columns=[f'f__{i}' for i in range(a.features)])
X.iloc[::50, 5] = np.nan  # some missing values, as from a silent auxiliary series
y = pd.Series((0.2*X.f__0 - 0.1*X.f__1 + rng.normal(size=a.rows) > 0).astype(float), index=idx)

def timed(fn):
    t = time.perf_counter(); out = fn(); return out, time.perf_counter() - t

def cpu_timed(fn):
    "Result, wall seconds and CPU seconds of this process (all threads): on a shared machine CPU/n_jobs estimates the unloaded wall time."
    t, c = time.perf_counter(), time.process_time(); out = fn()
    return out, time.perf_counter() - t, time.process_time() - c

print(f"{a.rows:,} rows x {a.features} features, n_jobs={a.jobs}, {os.cpu_count()} CPUs visible (load average {os.getloadavg()[0]:.1f})")
fits = {}
for k in ('lightgbm', 'xgboost', 'random_forest'):
    fits[k] = cpu_timed(lambda: make_model(k, seed=0, n_jobs=a.jobs).fit(X, y))
    print(f"  fit {k:<14} wall {fits[k][1]:7.1f} s   CPU {fits[k][2]:7.1f} s", flush=True)
wall, cpu = sum(f[1] for f in fits.values()), sum(f[2] for f in fits.values())
print(f"single LightGBM fit          wall {fits['lightgbm'][1]:7.1f} s   CPU {fits['lightgbm'][2]:7.1f} s")
print(f"LightGBM + XGBoost + RF fits wall {wall:7.1f} s   CPU {cpu:7.1f} s   (target <= 60 s wall on 2 free cores; "
      f"CPU/{a.jobs} = {cpu/a.jobs:.1f} s)  {'OK' if min(wall, cpu/a.jobs) <= 60 else 'MISSED'}", flush=True)

# the full ensemble for one-bar latency: the same three members (vote needs no out-of-fold fits; stacking adds one dot product)
MEMBER_CACHE.clear()
ens = make_model('ensemble-vote', seed=0, n_jobs=a.jobs)
ens.features_, ens.members_, ens.weights_ = list(X.columns), [f[0] for f in fits.values()], np.full(3, 1/3)

for n_jobs in (1, a.jobs):
    ens.n_jobs = n_jobs
    for m in ens.members_: m.n_jobs = n_jobs
    bar = X.iloc[[-1]]
    ens.predict_proba(bar)  # warm-up
    lat = []
    for _ in range(a.calls):
        t = time.perf_counter(); ens.predict_proba(bar); lat.append(time.perf_counter() - t)
    lat = np.array(lat)*1e3
    per = {m.kind: np.median([timed(lambda: m.predict_proba(bar))[1] for _ in range(50)])*1e3 for m in ens.members_}
    print(f"one bar, full ensemble, n_jobs={n_jobs}: median {np.median(lat):.2f} ms, p95 {np.percentile(lat, 95):.2f} ms   (target <= 10 ms)  "
          f"{'OK' if np.median(lat) <= 10 else 'MISSED'};  per member (median ms): " + ', '.join(f'{k} {v:.2f}' for k, v in per.items()))
