"The feature cache inside an evaluation: a run on features read back from the cache gives the same numbers as one that built them."
import pandas as pd
from tradebot.evaluation import EvalConfig, walk_forward, prepare

def test_metrics_same_with_feature_cache_on_and_off(fixture_bars, tmp_path, monkeypatch):
    monkeypatch.setenv('TRADEBOT_FEATURE_CACHE_DIR', str(tmp_path))
    bars = fixture_bars.iloc[:1000]
    kw = dict(horizon=12, n_folds=2, n_seeds=1, n_random=2, models=['logistic'], select=False, importance=False, workers=1, families=['tech', 'micro'])
    off = walk_forward(bars, EvalConfig(feature_cache=False, **kw), progress=False)
    first = prepare(bars, EvalConfig(**kw)).X.attrs['feature_cache']   # the first run with the cache on builds and writes
    on = walk_forward(bars, EvalConfig(**kw), progress=False)           # the next one reads
    assert (first['status'], on.feature_cache['status'], off.feature_cache['status']) == ('miss', 'hit', 'off')
    assert on.feature_cache['file'] == first['file'] and first['file'].startswith(str(tmp_path))
    assert len(on.predictions.dropna(subset=['p__logistic'])) > 300
    assert on.metrics == off.metrics
    pd.testing.assert_frame_equal(on.predictions, off.predictions, check_exact=True)
