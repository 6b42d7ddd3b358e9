"""Fit time of the ensemble kinds as a walk-forward fits them (one thread each, `n_jobs=1`), on a training fold the size of
BTCUSDT 1h's (about 33,000 rows x 150 features): each member alone, then ensemble-vote (members only), ensemble-weighted and
ensemble-stack (members plus 3 purged inner out-of-fold fits of each), with the default member parameters and with the
speed-sized ones of `reports/params/btc_1h_ensemble.yaml`. Random features with a weak planted signal: tree fit time
depends on rows x features, not on the data's meaning.

Usage: .venv/bin/python benchmarks/ensemble_fit.py [--rows 33000] [--features 150] [--kinds ensemble-vote,ensemble-weighted,ensemble-stack]"""
import argparse, os, time
import numpy as np, pandas as pd, yaml
from tradebot.config import project_root
from tradebot.models import make_model
import tradebot.ensemble  # registers the ensemble kinds
from tradebot.ensemble import MEMBER_CACHE

ap = argparse.ArgumentParser()
ap.add_argument('--rows', type=int, default=33_000); ap.add_argument('--features', type=int, default=150)
ap.add_argument('--kinds', default='ensemble-vote,ensemble-weighted,ensemble-stack')
a = ap.parse_args()

rng = np.random.default_rng(0)
idx = pd.date_range('2019-01-01', periods=a.rows, freq='h', tz='UTC')
X = pd.DataFrame(rng.normal(size=(a.rows, a.features)), index=idx, columns=[f'f__{i}' for i in range(a.features)])
y = pd.Series((0.1*X.f__0 - 0.05*X.f__1 + rng.normal(size=a.rows) > 0).astype(float), index=idx)
t1 = pd.Series(idx + pd.Timedelta(hours=24), index=idx)  # 24-bar labels: the inner splits purge them

params = yaml.safe_load((project_root()/'reports'/'params'/'btc_1h_ensemble.yaml').read_text())['model_params']
fast = next(iter(params.values()))['member_params']

def cpu_timed(fn):
    t, c = time.perf_counter(), time.process_time(); fn()
    return time.perf_counter() - t, time.process_time() - c

print(f"{a.rows:,} rows x {a.features} features, one thread per model (load average {os.getloadavg()[0]:.1f})")
for label, mp in (('default', {}), ('speed-sized', fast)):
    print(f"-- {label} member parameters {mp if mp else ''}")
    for k in ('lightgbm', 'xgboost', 'random_forest'):
        w, c = cpu_timed(lambda: make_model(k, seed=0, **mp.get(k, {})).fit(X, y, t1=t1))
        print(f"  {k:<18} wall {w:6.1f} s   CPU {c:6.1f} s", flush=True)
    for k in a.kinds.split(','):
        MEMBER_CACHE.clear()  # each kind pays for its own members
        w, c = cpu_timed(lambda: make_model(k, seed=0, member_params=mp).fit(X, y, t1=t1))
        print(f"  {k:<18} wall {w:6.1f} s   CPU {c:6.1f} s", flush=True)
