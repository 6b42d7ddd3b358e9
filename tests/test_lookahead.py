"Lookahead guard: changing any bar after time t never changes a feature, a model input or a position at t."
import numpy as np, pandas as pd
import pytest
from tradebot.data import load_ohlcv, sample
from tradebot.features import build_features, assert_causal
from tradebot.evaluation import EvalConfig, walk_forward

def _scramble_after(bars, t, seed=0):
    "A different future: every bar after position t scaled by random factors, volume reversed."
    rng = np.random.default_rng(seed)
    alt = bars.copy()
    k = len(bars) - t - 1
    alt.iloc[t+1:, :4] = alt.iloc[t+1:, :4].mul(rng.uniform(0.5, 1.5, k), axis=0).values
    alt.iloc[t+1:, 4] = alt.iloc[t+1:, 4].values[::-1]
    return alt

def test_features_causal_on_btc_1h(shared_data):
    bars = load_ohlcv(shared_data/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz')
    assert_causal(build_features, bars, ts=list(np.linspace(500, len(bars)-2, 8).astype(int)))

def test_features_causal_on_5m(shared_data):
    bars = load_ohlcv(shared_data/'binance_spot_5m_15m_2024'/'ETH_USDT-5m.csv.gz')
    assert_causal(build_features, bars, ts=list(np.linspace(500, len(bars)-2, 5).astype(int)))

def _assert_past_unchanged(bars, cfg, t, base=None):
    base = base or walk_forward(bars, cfg, progress=False)   # the run on the real bars: the same for every t
    alt = walk_forward(_scramble_after(bars, t), cfg, progress=False)
    cut = bars.index[t]
    a, b = base.predictions.loc[:cut], alt.predictions.loc[:cut]
    assert len(a) > 0
    pd.testing.assert_series_equal(a.p__lightgbm, b.p__lightgbm)
    pd.testing.assert_series_equal(a.position, b.position)
    # equity at bar j includes the move to the next bar's open, so it is compared up to the bar before t
    prev = bars.index[t-1]
    pd.testing.assert_series_equal(base.strategy.equity.loc[:prev], alt.strategy.equity.loc[:prev])
    # and the scramble really changed something later, so the test can fail
    assert not base.predictions.p__lightgbm.loc[cut:].equals(alt.predictions.p__lightgbm.loc[cut:])
    return base, alt

@pytest.mark.parametrize('label', ['direction', 'triple_barrier'])
def test_predictions_and_positions_ignore_the_future(label):
    """A few bars into every test block, the future is replaced: what was predicted and held until then must not move.
    Right after a block starts is where a leak would show: a training label that settles inside the block (a gap or
    purge too short) would change with the scrambled prices and change the model."""
    bars = sample('EURUSD')
    cfg = EvalConfig(horizon=12, n_folds=3, label=label, models=['lightgbm'], n_seeds=1, n_random=2, select=False)
    base = walk_forward(bars, cfg, progress=False)
    for f in base.folds:
        t = bars.index.get_loc(pd.Timestamp(f['test_start'])) + 3
        _assert_past_unchanged(bars, cfg, t, base)

def test_selection_ignores_the_future():
    """With selection on, a fold's horizon, rule and thresholds are chosen on its training bars only: scrambling the
    future a few bars into fold 1's test block (chosen on the inner blocks and outer block 0) changes no choice,
    prediction, position or equity before it."""
    bars = sample('EURUSD')
    cfg = EvalConfig(horizons=[1, 12], n_folds=3, models=['lightgbm'], n_seeds=1, n_random=2)
    first = walk_forward(bars, cfg, progress=False)
    t = bars.index.get_loc(pd.Timestamp(first.folds[1]['test_start'])) + 3
    base, alt = _assert_past_unchanged(bars, cfg, t, first)
    assert [c['name'] for c in base.metrics['selection']['folds'][:2]] == [c['name'] for c in alt.metrics['selection']['folds'][:2]]
