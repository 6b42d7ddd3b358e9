"""Real-data tests that run everywhere: the committed fixture in `tests/data/` (Binance BTCUSDT 1h with taker
columns, its funding and Fear & Greed rows). On GitHub there is no `../shared`; these keep the causality,
lookahead and backtesting.py checks on real bars there. Only the full-history cross-check skips without it."""
import numpy as np, pandas as pd
import pytest
from tradebot.data import load_ohlcv, validate_ohlcv
from tradebot.features import build_features, assert_causal, REGISTRY
from tradebot.evaluation import EvalConfig, walk_forward

def test_fixture_is_clean_real_bars_with_taker_columns(fixture_bars, fixture_aux):
    b = fixture_bars
    assert len(b) == 2999 and b.index.is_monotonic_increasing and str(b.index.tz) == 'UTC'
    assert {'trades', 'taker_buy_base', 'taker_buy_quote', 'quote_volume'} <= set(b.columns)
    assert validate_ohlcv(b).ok
    assert 90_000 < b.close.median() < 130_000  # BTC in mid-2025, not a synthetic walk
    f, g = fixture_aux['funding'], fixture_aux['fng']
    assert f.index[0] <= b.index[0] and f.index[-1] >= b.index[-1] - pd.Timedelta('8h')
    assert g.index[0] <= b.index[0] and g.index[-1] >= b.index[-1] - pd.Timedelta('2D')

def test_fixture_matches_the_full_history(fixture_bars, shared_data):
    "The fixture is a slice of the team's data: the same prices as the 2019-2026 spot file on every shared bar."
    full = load_ohlcv(shared_data/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz')
    common = fixture_bars.index.intersection(full.index)
    assert len(common) >= 2990
    pd.testing.assert_frame_equal(fixture_bars.loc[common, ['open', 'high', 'low', 'close']], full.loc[common, ['open', 'high', 'low', 'close']], check_freq=False)

def test_every_feature_causal_on_real_bars(fixture_bars, fixture_aux):
    "Every registered feature these inputs allow (all but order book, open interest and headlines), HMM states fitted on the first half."
    b = fixture_bars
    X = assert_causal(lambda bb, a: build_features(bb, aux=a, fit_until=b.index[1500]), b, aux=fixture_aux, ts=[1700, 2300, len(b) - 2])
    missing = set(REGISTRY.names()) - set(X.columns)
    assert missing == {n for n in REGISTRY.names() if {'aux:book', 'aux:oi', 'aux:headlines'} & set(REGISTRY[n].requires)}, missing
    assert X[['micro__ofi', 'sent__funding_z_30', 'sent__fng']].iloc[800:].notna().all().all()

def test_walk_forward_past_unchanged_by_the_future_on_real_bars(fixture_bars):
    "The lookahead guard of the whole pipeline (features, labels, fits, positions, equity) on real bars."
    bars = fixture_bars
    cfg = EvalConfig(horizon=12, n_folds=3, n_seeds=1, n_random=5, models=['lightgbm'])
    base = walk_forward(bars, cfg, progress=False)
    t = bars.index.get_loc(base.predictions.index[len(base.predictions)//2])  # mid-way through the out-of-sample bars
    alt = bars.copy(); rng = np.random.default_rng(0)
    alt.iloc[t+1:, :4] = alt.iloc[t+1:, :4].mul(rng.uniform(0.5, 1.5, len(bars) - t - 1), axis=0).values
    other = walk_forward(alt, cfg, progress=False)
    cut = bars.index[t]
    a, o = base.predictions.loc[:cut], other.predictions.loc[:cut]
    assert len(a.dropna(subset=['p__lightgbm'])) > 100
    pd.testing.assert_series_equal(a.p__lightgbm, o.p__lightgbm)
    pd.testing.assert_series_equal(a.position, o.position)
    pd.testing.assert_series_equal(base.strategy.equity.loc[:bars.index[t-1]], other.strategy.equity.loc[:bars.index[t-1]])
    assert not base.predictions.p__lightgbm.loc[cut:].equals(other.predictions.p__lightgbm.loc[cut:])  # the test can fail

def test_backtest_same_as_backtesting_py_on_real_bars(fixture_bars):
    from test_backtest import _check_same
    _check_same(fixture_bars[['open', 'high', 'low', 'close', 'volume']], 0.001, seed=3)
