"Model kinds and ensembles end to end: through the walk-forward without lookahead, and trained on real bars into model folders."
import json, subprocess, sys
import numpy as np, pandas as pd
import pytest
from tradebot.data import load_ohlcv, sample
from tradebot.evaluation import EvalConfig, walk_forward
import tradebot.ensemble  # registers the ensemble kinds
from tradebot.ensemble import compare_models
from tradebot.models import load_model, read_manifest, ModelError, file_sha256
from tradebot.train import train_model, list_models
from test_lookahead import _scramble_after

@pytest.mark.slow
def test_ensembles_in_the_walk_forward_ignore_the_future():
    """The stacked and regime ensembles learn weights from out-of-fold predictions inside each training fold; scrambling
    every bar a few bars into the last test block must not move any prediction before it."""
    bars = sample('EURUSD')
    kinds = ['ensemble-stack', 'ensemble-regime']
    cfg = EvalConfig(horizon=12, n_folds=2, models=kinds, n_seeds=1, n_random=2)
    base = walk_forward(bars, cfg, progress=False)
    t = bars.index.get_loc(pd.Timestamp(base.folds[-1]['test_start'])) + 3
    alt = walk_forward(_scramble_after(bars, t), cfg, progress=False)
    cut = bars.index[t]
    for k in kinds:
        a, b = base.predictions[f'p__{k}'], alt.predictions[f'p__{k}']
        pd.testing.assert_series_equal(a.loc[:cut], b.loc[:cut])
        assert not a.loc[cut:].equals(b.loc[cut:])  # the scramble did change the future, so the test can fail
    tab = compare_models(base.predictions, kinds)
    assert list(tab.index) == kinds and tab.log_loss.notna().all() and (tab.n == base.predictions.y.notna().sum()).all()

def test_train_real_bars_reload_in_fresh_process_and_refuse_tampering(shared_data, tmp_path):
    bars = load_ohlcv(shared_data/'binance_spot_1h_2019_2026'/'ETHUSDT_1h.csv.gz').iloc[-3000:]
    data = tmp_path/'eth_tail.csv'
    bars.reset_index().assign(ts=lambda d: d.ts.dt.strftime('%Y-%m-%dT%H:%M:%SZ')).to_csv(data, index=False)
    small = dict(member_params={'lightgbm': dict(n_estimators=40), 'xgboost': dict(n_estimators=40), 'random_forest': dict(n_estimators=20)})
    m = train_model(str(data), 'ensemble-weighted', out=tmp_path/'models'/'eth', horizon=12, oof_folds=2, params=small)
    man = read_manifest(tmp_path/'models'/'eth')
    assert man['data']['sha256'] == file_sha256(data) and man['members'] == ['lightgbm', 'xgboost', 'random_forest']
    assert man['training_span']['end'] < bars.index[-12].isoformat() and man['oof_metrics']['n'] == man['training_span']['rows']
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(5, len(m.features_))), columns=m.features_)
    X.to_parquet(tmp_path/'x.parquet')
    code = ("import sys, numpy as np, pandas as pd; import tradebot.ensemble; from tradebot.models import load_model;"
            "np.save(sys.argv[1]+'/p.npy', load_model(sys.argv[1]+'/models/eth').predict_proba(pd.read_parquet(sys.argv[1]+'/x.parquet')))")
    subprocess.run([sys.executable, '-c', code, str(tmp_path)], check=True)
    np.testing.assert_array_equal(np.load(tmp_path/'p.npy'), m.predict_proba(X))
    assert list_models(tmp_path/'models').kind.tolist() == ['ensemble-weighted']
    w = tmp_path/'models'/'eth'/'combiner.json'
    w.write_text(json.dumps({'weights': [1.0, 0.0, 0.0]}))
    with pytest.raises(ModelError, match='combiner.json does not match its SHA-256'): load_model(tmp_path/'models'/'eth')
