"Feature registry, end to end: counts, causality of every feature on real data, bad input, the CLI's view of it."
import json
import numpy as np, pandas as pd
import pytest
from tradebot.config import project_root
from tradebot.data import load_ohlcv, load_aux, infer_timeframe
from tradebot.features import (build_features, assert_causal, FeatureError, REGISTRY, feature_table, feature_list, FAMILIES)
from tradebot.features.core import Ctx

OHLCV = {'open', 'high', 'low', 'close', 'volume'}

@pytest.fixture
def btc(shared_data): return load_ohlcv(shared_data/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz')

@pytest.fixture
def aux(shared_data):
    return load_aux({'fng': shared_data/'crypto_fear_greed_index_2018_2026'/'fng.csv',
                     'funding': shared_data/'binance_btcusdt_15m_trades_and_funding_2019_2026'/'funding_btcusdt.csv',
                     'oi': shared_data/'btc_daily_open_interest_funding_unverified'/'open_interest.csv',
                     'headlines': shared_data/'crypto_news_headlines_2021_2022'/'cryptonews.csv',
                     'events': project_root()/'data'/'examples'/'macro_events.csv'})

def test_registry_counts_and_listing():
    ft = feature_table()
    assert ft.name.is_unique and ft.name.str.match(r'^(tech|time|regime|micro|sent)__[a-z0-9_]+$').all()
    assert set(ft.family) == set(FAMILIES.values())
    assert ft.ohlcv_only.sum() >= 100
    assert set(ft[ft.ohlcv_only].family) == set(FAMILIES.values()) - {'sentiment'}  # sentiment needs its series
    recs = feature_list()
    assert len(recs) == len(ft) and all(set(r) == {'name', 'family', 'warmup', 'requires', 'description'} for r in recs)
    # a feature added without its one-line description fails here: `REGISTRY.describe` in its family's notebook
    assert [r['name'] for r in recs if not r['description'] or '\n' in r['description'] or len(r['description']) > 64] == []
    json.dumps(recs)  # JSON-ready

def test_ohlcv_only_build_has_100_features(fixture_bars):
    b = fixture_bars[sorted(OHLCV)]  # real bars, OHLCV columns only
    X = build_features(b)
    assert X.shape[1] >= 100 and set(X.dtypes.astype(str)) == {'float32'} and X.index.equals(b.index)
    assert {c.split('__')[0] for c in X.columns} == {'tech', 'time', 'regime', 'micro'}
    assert all(w == 'fitted feature and fit_until=None (pass the end of the training window)' for n, w in X.attrs['skipped'].items() if n.startswith('regime__hmm'))

def test_115_features_with_taker_funding_fng_headlines(shared_data, aux):
    perp = load_ohlcv(shared_data/'binance_um_perp_btcusdt_2025_2026'/'BTCUSDT-1h-futures.csv')
    a = dict(aux, funding=load_aux({'funding': shared_data/'binance_um_perp_btcusdt_2025_2026'/'BTCUSDT-funding.csv'})['funding'])
    del a['oi'], a['events']
    X = build_features(perp, aux=a)
    assert X.shape[1] >= 115, X.shape
    assert X[['micro__ofi', 'sent__funding_z_30', 'sent__fng']].iloc[800:].notna().all().all()

def test_every_feature_causal_on_btc_1h(btc, aux):
    "Every registered feature that these inputs allow (all but taker/trades/book), HMM fitted mid-series."
    ts = [int(np.searchsorted(btc.index, pd.Timestamp(d, tz='UTC'))) for d in ('2021-11-03 07:00', '2022-03-01 15:00', '2024-03-20 17:00', '2026-06-29 12:00')]
    X = assert_causal(lambda b, a: build_features(b, aux=a, fit_until='2021-06-30 23:00'), btc, aux=aux, ts=ts)
    missing = set(REGISTRY.names()) - set(X.columns)
    assert missing == {n for n in REGISTRY.names() if any(r in ('taker_buy_base', 'trades', 'aux:book') for r in REGISTRY[n].requires)}

def test_every_feature_causal_on_5m_bars(shared_data):
    bars = load_ohlcv(shared_data/'binance_spot_5m_15m_2024'/'BTC_USDT-5m.csv.gz')
    X = assert_causal(lambda b: build_features(b, fit_until=bars.index[2000]), bars, ts=[2500, len(bars)//2, len(bars) - 2])
    assert X.shape[1] >= 103  # every OHLCV feature plus the 3 HMM states

def test_taker_and_trades_features_causal(shared_data):
    perp = load_ohlcv(shared_data/'binance_um_perp_btcusdt_2025_2026'/'BTCUSDT-1h-futures.csv')
    names = [n for n in REGISTRY.names() if any(r in ('taker_buy_base', 'trades') for r in REGISTRY[n].requires)]
    assert len(names) == 5
    assert_causal(lambda b: build_features(b, names=names), perp, ts=[200, 9000, len(perp) - 2])

def test_causality_check_catches_a_peek(fixture_bars):
    from tradebot.features.core import Registry
    reg = Registry()
    reg.register('tech__peek', warmup=0)(lambda c: c.bars.close.shift(-1) / c.bars.close)
    with pytest.raises(AssertionError, match=r"\['tech__peek'\]"):
        assert_causal(lambda b: build_features(b, registry=reg), fixture_bars, ts=[1000])

def test_missing_column_names_feature_and_column(fixture_bars):
    btc = fixture_bars
    with pytest.raises(FeatureError, match=r"feature 'tech__dist_kama_10' needs column 'close'|feature '\w+' needs column 'close'"):
        build_features(btc.drop(columns='close').iloc[:500])
    with pytest.raises(FeatureError, match=r"feature 'tech__parkinson_24' needs column 'high'"):
        build_features(btc.drop(columns='high').iloc[:500], names=['tech__parkinson_24'])
    with pytest.raises(FeatureError, match="unknown feature 'tech__nope'"):
        build_features(btc.iloc[:500], names=['tech__nope'])

def test_declared_warmups_cover_the_raw_nans(fixture_bars):
    "Before masking and filling: each OHLCV feature's raw output has no NaN after its declared warm-up on real bars."
    b = fixture_bars[sorted(OHLCV)]
    ctx = Ctx(b, {}, infer_timeframe(b.index))
    bad = {}
    for f in REGISTRY:
        if f.aux or f.fitted or not set(f.columns) <= OHLCV: continue
        v = np.asarray(f.fn(ctx), dtype='float64').reshape(-1)
        if not np.isfinite(v[f.warmup:]).all(): bad[f.name] = int(np.flatnonzero(~np.isfinite(v[f.warmup:]))[0]) + f.warmup
    assert not bad, bad

def test_flat_prices_zero_volume_and_real_gaps(btc):
    "Constant-price stretches, zero volume and the file's maintenance gaps: no inf, no NaN after warm-up."
    gaps = np.flatnonzero(np.diff(btc.index) > pd.Timedelta('1h'))
    assert len(gaps) >= 10  # the real file has its gaps
    b = btc.iloc[:8000].copy()  # covers the 2019 gaps
    assert (np.diff(b.index) > pd.Timedelta('1h')).any()
    b.iloc[3000:3400, :4] = b.close.iloc[2999]          # 400 flat bars
    b.iloc[3000:3400, b.columns.get_loc('volume')] = 0.0
    b.iloc[5000:5050, b.columns.get_loc('volume')] = 0.0  # zero volume with moving prices
    X = build_features(b, fit_until=b.index[2500])
    for c in X.columns:
        v = X[c].to_numpy()
        w = X.attrs['warmup'][c]
        assert not np.isinf(v).any(), c
        assert np.isnan(v[:w]).all() and not np.isnan(v[w:]).any(), (c, int(np.flatnonzero(np.isnan(v[w:]))[0]) + w)

def test_families_filter_and_fit_until(fixture_bars):
    b = fixture_bars
    X = build_features(b, families=['regime'], fit_until=b.index[1500])
    assert X.columns.str.startswith('regime__').all() and 'regime__hmm_p2' in X
    assert X.filter(like='hmm').iloc[1600:].sum(axis=1).sub(1).abs().max() < 1e-5
    with pytest.raises(FeatureError, match="unknown family"):
        build_features(b, families=['vibes'])

def test_cli_features_list_json():
    from typer.testing import CliRunner
    from tradebot.cli import app
    r = CliRunner().invoke(app, ['features', 'list', '--json'])
    assert r.exit_code == 0, r.output
    recs = json.loads(r.stdout)
    assert len(recs) == len(REGISTRY) and set(recs[0]) == {'name', 'family', 'warmup', 'requires', 'description'}
    ohlcv = [x for x in recs if set(x['requires']) <= OHLCV and not REGISTRY[x['name']].fitted]
    assert len(ohlcv) >= 100 and {x['family'] for x in recs} == set(FAMILIES.values())
