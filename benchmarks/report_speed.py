"""How long the evaluation pipeline takes, stage by stage and end to end through `tradebot report`.

Targets (2 cores, no GPU): the default report <= 120 s on the bundled data; <= 240 s on BTCUSDT 1h
2019-2026 (65k bars) with selection inside the training folds on (the default). CPU seconds are printed beside wall
seconds: on a shared machine the wall clock measures the neighbours too. Prints one line per figure; run with `.venv/bin/python benchmarks/report_speed.py`.
"""
import sys, time, tempfile, resource
from pathlib import Path
import pandas as pd
from tradebot.config import project_root, get_settings
from tradebot.data import load_source, validate_ohlcv
from tradebot.features import build_features
from tradebot.labels import direction_label
from tradebot.evaluation import EvalConfig, walk_forward
from tradebot.report import run_report

def stages(spec):
    t = time.perf_counter(); bars = load_source(spec); t_load = time.perf_counter() - t
    t = time.perf_counter(); validate_ohlcv(bars); t_val = time.perf_counter() - t
    t = time.perf_counter(); build_features(bars); t_feat = time.perf_counter() - t
    t = time.perf_counter(); direction_label(bars, 24); t_lab = time.perf_counter() - t
    t = time.perf_counter(); walk_forward(bars, EvalConfig(data=spec), progress=False); t_wf = time.perf_counter() - t
    print(f"{spec}: {len(bars):,} bars | load {t_load:.2f} s, validate {t_val:.2f} s, features {t_feat:.2f} s, "
          f"labels {t_lab:.3f} s, walk-forward (5 folds, fit+predict+backtest) {t_wf:.2f} s")

def selection_cost(spec, **kw):
    "What choosing horizon, rule and thresholds inside the training folds costs over the fixed configuration."
    bars = load_source(spec)
    for select in (False, True):
        t, c = time.perf_counter(), time.process_time()
        walk_forward(bars, EvalConfig(data=spec, select=select, **kw), progress=False)
        print(f"{spec}: walk-forward select={select}: {time.perf_counter() - t:.1f} s wall, {time.process_time() - c:.1f} s CPU")

def end_to_end(params, label, target):
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter(); run_report(params, out=d, progress=False); s = time.perf_counter() - t
    print(f"report end to end, {label}: {s:.1f} s (target <= {target} s){'' if s <= target else '  MISSED'}")

if __name__ == '__main__':
    root = project_root()
    btc = get_settings().shared_data_dir/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz'
    stages('sample:EURUSD')
    if btc.exists(): stages(str(btc))
    end_to_end(None, 'bundled EURUSD (make report)', 120)
    if btc.exists(): selection_cost(str(btc))
    if btc.exists(): end_to_end(root/'reports/params/btc_1h.yaml', 'BTCUSDT 1h 2019-2026', 240)
    else: print(f"skipped BTCUSDT 1h: {btc} not found")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MB")
