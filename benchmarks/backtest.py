"""Backtester speed, side by side with backtesting.py on the same signals, in one run.

Prints:
  single backtest: N bars/s, Rx backtesting.py   (same long/short signals and commission, BTC 1h from the shared data,
                                                  or EURUSD when it is absent; best of 3 warm runs each)
  sweep: N backtests/s                           (run_backtests over 1,000 position columns on GOOG, default costs)
  1,000,000 bars with costs: T s                 (synthetic random walk; run_backtest with default costs + impact)
Targets (issue 5): >= 4x backtesting.py; >= 1,000 backtests/s on 2 cores; <= 0.5 s. Numba compile time is excluded
(it is cached on disk after the first run) and printed separately. Figures on a shared machine may be contended.
"""
import os, time, warnings
import numpy as np, pandas as pd
from backtesting import Backtest, Strategy
from tradebot.config import get_settings
from tradebot.data import sample, load_ohlcv
from tradebot.backtest import CostModel, run_backtest, run_backtests

def best_of(f, k=3):
    ts = []
    for _ in range(k):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)

class Follow(Strategy):
    sig = None
    def init(self): pass
    def next(self):
        i = len(self.data) - 1; s, p = self.sig[i], self.sig[i-1]
        if s == p: return
        if s > 0: self.buy(size=1 - 1e-9)
        elif s < 0: self.sell(size=1 - 1e-9)
        else: self.position.close()

def bars_for_single():
    shared = get_settings().shared_data_dir
    p = os.path.join(str(shared), 'binance_spot_1h_2019_2026', 'BTCUSDT_1h.csv.gz') if shared else ''
    return (load_ohlcv(p), 'BTCUSDT 1h') if p and os.path.exists(p) else (sample('EURUSD'), 'EURUSD 1h')

def main():
    t = time.perf_counter()
    goog = sample('GOOG'); run_backtest(goog, pd.Series(1.0, index=goog.index)); run_backtests(goog, np.ones((len(goog), 2)))
    print(f"numba load/compile (first call): {time.perf_counter() - t:.2f} s")

    bars, name = bars_for_single(); c = bars.close
    sig = np.where(c > c.rolling(50, min_periods=1).mean(), 1., -1.); sig[0] = 0
    df = bars.rename(columns=str.capitalize)[['Open', 'High', 'Low', 'Close', 'Volume']]
    bt = Backtest(df, Follow, cash=1e12, commission=0.001, exclusive_orders=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        t_bt = best_of(lambda: bt.run(sig=sig), k=2)
    pos = pd.Series(sig, index=bars.index)
    t_us = best_of(lambda: run_backtest(bars, pos, CostModel(10, 0), cash=1e12))
    n = len(bars)
    print(f"backtesting.py: {n/t_bt:,.0f} bars/s ({name}, {n:,} bars, {t_bt:.3f} s)")
    print(f"single backtest: {n/t_us:,.0f} bars/s, {t_bt/t_us:.1f}x backtesting.py ({t_us*1e3:.1f} ms)")

    rng = np.random.default_rng(0); gc = goog.close.to_numpy(); m = 1000
    P = np.empty((len(goog), m))
    for j in range(m):  # moving-average crossovers and random-walk signals
        w = 2 + j % 100
        ma = pd.Series(gc).rolling(w, min_periods=1).mean().to_numpy()
        P[:, j] = np.where(gc > ma, 1., -1.) if j % 2 else np.repeat(rng.choice([-1., 0, 1], len(gc)//w + 1), w)[:len(gc)]
    t_sw = best_of(lambda: run_backtests(goog, P, CostModel(), trailing_stop=0.05))
    print(f"sweep: {m/t_sw:,.0f} backtests/s (GOOG, {len(goog):,} bars x {m:,} variants, costs on, {os.cpu_count()} cores)")

    N = 1_000_000
    idx = pd.date_range('2000-01-01', periods=N, freq='min', tz='UTC', name='ts')
    px = 100*np.exp(np.cumsum(rng.normal(0, 1e-3, N)))
    big = pd.DataFrame(dict(open=px, high=px*1.001, low=px*0.999, close=px, volume=1e4), index=idx)
    bp = pd.Series(np.repeat(rng.choice([-1., 0, 1], N//50 + 1), 50)[:N], index=idx)
    t_1m = best_of(lambda: run_backtest(big, bp, CostModel(impact_k=0.1)), k=2)
    print(f"1,000,000 bars with costs: {t_1m:.2f} s")

if __name__ == '__main__': main()
