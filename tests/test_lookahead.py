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

@pytest.mark.parametrize('frac', [0.55, 0.8])
def test_predictions_and_positions_ignore_the_future(frac):
    bars = sample('EURUSD')
    cfg = EvalConfig(horizon=12, n_folds=3)
    base = walk_forward(bars, cfg, progress=False)
    t = int(frac*len(bars))
    alt = walk_forward(_scramble_after(bars, t), cfg, progress=False)
    cut = bars.index[t]
    a, b = base.predictions.loc[:cut], alt.predictions.loc[:cut]
    assert len(a) > 100
    pd.testing.assert_series_equal(a.p__lightgbm, b.p__lightgbm)
    pd.testing.assert_series_equal(a.position, b.position)
    # equity at bar j is marked at the open of j+1, so it is compared up to the bar before t
    prev = bars.index[t-1]
    pd.testing.assert_series_equal(base.strategy.equity.loc[:prev], alt.strategy.equity.loc[:prev])
    # and the scramble really changed something later, so the test can fail
    assert not base.predictions.p__lightgbm.loc[cut:].equals(alt.predictions.p__lightgbm.loc[cut:])
