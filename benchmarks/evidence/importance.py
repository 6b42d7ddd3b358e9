"""Do the slow calendar and level features carry out-of-fold signal, or only let the trees memorise eras?
LightGBM on the evaluation's walk-forward folds of BTCUSDT 1h (the report's expanding folds, its features and labels):
normalised gain in the training fold against permutation importance and SHAP on the test fold, per feature, with
rank stability in the top 20. Writes benchmarks/out/evidence/<name>_importance.csv and prints the summary.
Usage: .venv/bin/python benchmarks/evidence/importance.py [btc_1h] [seeds]"""
import sys, time
from pathlib import Path
import numpy as np, pandas as pd, yaml
from tradebot.config import project_root
from tradebot.data import load_source, load_aux
from tradebot.features import build_features, REGISTRY
from tradebot.evaluation import EvalConfig, make_labels
from tradebot.validation import WalkForward
from tradebot.ensemble import fold_importance, summarise_importance

name = sys.argv[1] if len(sys.argv) > 1 else 'btc_1h'
seeds = tuple(range(int(sys.argv[2]) if len(sys.argv) > 2 else 1))
cfg = EvalConfig(**yaml.safe_load(open(f'reports/params/{name}.yaml')))
res = lambda p: str(p if Path(p).exists() else project_root()/p)
bars = load_source(res(cfg.data))
X = build_features(bars, aux=load_aux({k: res(v) for k, v in cfg.aux.items()}) if cfg.aux else None, families=cfg.families)
lab = make_labels(bars, cfg)
core = [c for c in X.columns if not any(str(r).startswith('aux:') for r in REGISTRY[c].requires)]
ok = X[core].notna().all(axis=1)
Xu, lu = X[ok], lab[ok]
splits = list(WalkForward(cfg.n_folds, gap=cfg.horizon, min_train=cfg.min_train, t1=lu['t1'], max_train=cfg.train_window).split(Xu))
slow = [c for c in Xu.columns if c.startswith(('time__days_', 'sent__fng', 'sent__funding'))]
t0 = time.time()
fi = fold_importance(Xu, lu['y'], splits, 'lightgbm', seeds=seeds, top=30, extra=slow, n_repeats=3, shap_rows=2000)
out = Path('benchmarks/out/evidence'); out.mkdir(parents=True, exist_ok=True)
fi.to_csv(out/f'{name}_importance_folds.csv', index=False)
s = summarise_importance(fi)
s.to_csv(out/f'{name}_importance.csv')
with pd.option_context('display.width', 200, 'display.max_rows', 80):
    print(f"{name}: {len(splits)} folds x {len(seeds)} seed(s), {time.time() - t0:.0f} s")
    print("top 25 by mean normalised gain:"); print(s.head(25).round(4).to_string())
    print("\nslow calendar / level features:"); print(s.loc[[c for c in slow if c in s.index]].round(4).to_string())
