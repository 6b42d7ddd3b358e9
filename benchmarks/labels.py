"""Triple-barrier labelling speed: events per second on 1,000,000 bars with a 48-bar vertical barrier.

Target: >= 1,000,000 events/s (one event per bar, profit-take and stop-loss at 1x the causal 48-bar
volatility). Numba is compiled on a small warm-up call first, so the figure is the steady-state speed,
end to end through `triple_barrier` (volatility, alignment and frame assembly included).
Run with `.venv/bin/python benchmarks/labels.py`; figures on a shared machine may be contended.
"""
import time
import numpy as np, pandas as pd
from tradebot.labels import triple_barrier, uniqueness_weights

def random_walk_bars(n, seed=0):
    rng = np.random.default_rng(seed)
    close = 100*np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    return pd.DataFrame({'close': close}, index=pd.date_range('2000-01-01', periods=n, freq='h', tz='UTC', name='ts'))

def best_of(f, repeat=3):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); out = f(); ts.append(time.perf_counter() - t)
    return min(ts), out

if __name__ == '__main__':
    triple_barrier(random_walk_bars(1_000), max_hold=48)  # warm-up: compile the numba kernel
    bars = random_walk_bars(1_000_000)
    s, tb = best_of(lambda: triple_barrier(bars, pt=1, sl=1, max_hold=48))
    n = len(tb)
    print(f"triple_barrier: {n/s:,.0f} events/s ({n:,} events on {len(bars):,} bars, 48-bar vertical barrier, "
          f"{s*1e3:.0f} ms; target >= 1,000,000){'' if n/s >= 1e6 else '  MISSED'}")
    s, _ = best_of(lambda: uniqueness_weights(tb.t1, bars.index))
    print(f"uniqueness_weights: {n/s:,.0f} labels/s ({s*1e3:.0f} ms)")
