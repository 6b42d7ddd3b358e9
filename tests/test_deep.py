"Sequence models (tradebot.deep) inside the evaluation and the ensembles: the bars before a test block are handed over as context, so its first bar is predicted as with the full history."
import subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd
import pytest
import torch
from tradebot.evaluation import EvalConfig, fit_predict, walk_forward
from tradebot.models import MODELS, register, make_model, load_model, predict_rows
from tradebot.deep import LSTMModel, TransformerModel

torch.set_num_threads(1)  # the machine is shared

@register
class TinyLSTM(LSTMModel):
    "A few-second LSTM for tests."
    kind, defaults = 'test-lstm-tiny', {**LSTMModel.defaults, 'window': 8, 'epochs': 3, 'batch_size': 64, 'hidden': 8, 'gap': 3}

def _planted(n=1200, lag=3, seed=0):
    r = np.random.default_rng(seed)
    ix = pd.date_range('2024-01-01', periods=n, freq='h', tz='UTC', name='ts')
    X = pd.DataFrame(r.standard_normal((n, 3)), ix, ['x0', 'x1', 'x2'])
    y = pd.Series((np.roll(X.x0.to_numpy(), lag) > 0).astype(float), ix); y.iloc[:lag] = np.nan
    return X, pd.DataFrame(dict(y=y, t1=ix + pd.Timedelta(hours=3)), index=ix)

def test_first_bar_of_a_test_block_is_predicted_with_its_history():
    X, lab = _planted()
    train, test = np.arange(0, 900), np.arange(900, 1000)
    f = fit_predict(X, lab, train, test, 'test-lstm-tiny', 0, EvalConfig(models=['lightgbm'], calibration='none'))
    m = make_model('test-lstm-tiny', seed=0).fit(X.iloc[train], lab.y.iloc[train], t1=lab.t1.iloc[train])
    full = m.predict_proba(X.iloc[:1000])[900:]   # every bar from the start as history
    assert len(f.raw) == len(test) and f.raw.notna().all()
    np.testing.assert_allclose(f.raw.to_numpy(), full, atol=1e-6)
    assert abs(m.predict_proba(X.iloc[test])[0] - full[0]) > 1e-4  # the block alone is padded: the test can fail
    g = fit_predict(X, lab, train, test, 'test-lstm-tiny', 0, EvalConfig(models=['lightgbm'], calibration='platt'))
    assert g.cal.notna().all() and sorted(g.importance.index) == ['x0', 'x1', 'x2']

def test_sequence_member_in_an_ensemble_gets_context_and_reloads(tmp_path):
    X, lab = _planted()
    e = make_model('ensemble-weighted', seed=0, members=['logistic', 'test-lstm-tiny'], n_inner=2, gap=3).fit(X.iloc[:900], lab.y.iloc[:900])
    assert e.context == 7 and not np.isnan(e.oof_.to_numpy()).any()
    test = np.arange(900, 1000)
    p = predict_rows(e, X, test)
    np.testing.assert_allclose(p, e.predict_proba(X.iloc[:1000])[900:], atol=1e-6)
    e.save(tmp_path/'ens')
    np.testing.assert_array_equal(load_model(tmp_path/'ens').predict_proba(X.iloc[800:1000]), e.predict_proba(X.iloc[800:1000]))

@pytest.mark.slow
def test_walk_forward_and_train_on_real_bars(fixture_bars, tmp_path):
    "Both kinds through the walk-forward on the real fixture (2,999 BTC 1h bars) and through `tradebot train`."
    cfg = EvalConfig(data='x', horizon=12, select=False, n_folds=2, models=['lightgbm', 'test-lstm-tiny'], n_seeds=1, n_random=2)
    res = walk_forward(fixture_bars, cfg, progress=False)
    p = res.predictions['p__test-lstm-tiny']
    first = [pd.Timestamp(f['test_start']) for f in res.folds]
    assert all(pd.notna(p.loc[t]) for t in first)  # no test bar lost to warm-up
    assert 'test-lstm-tiny' in list(res.models_table().index)
    path = tmp_path/'bars.csv'; fixture_bars.to_csv(path)
    out = tmp_path/'m'
    r = subprocess.run([str(Path(sys.executable).parent/'tradebot'), 'train', '-d', str(path), '-m', 'transformer', '-o', str(out),
                        '--horizon', '12', '--oof-folds', '0'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert load_model(out).kind == 'transformer'

@pytest.mark.slow
def test_walk_forward_sequence_model_ignores_the_future(fixture_bars):
    "Scrambling every bar a few bars into the last test block moves no sequence-model prediction before it."
    from test_lookahead import _scramble_after
    cfg = EvalConfig(data='x', horizon=12, select=False, n_folds=2, models=['test-lstm-tiny'], n_seeds=1, n_random=2)
    base = walk_forward(fixture_bars, cfg, progress=False)
    t = fixture_bars.index.get_loc(pd.Timestamp(base.folds[-1]['test_start'])) + 3
    alt = walk_forward(_scramble_after(fixture_bars, t), cfg, progress=False)
    a, b, cut = base.predictions['p__test-lstm-tiny'], alt.predictions['p__test-lstm-tiny'], fixture_bars.index[t]
    pd.testing.assert_series_equal(a.loc[:cut], b.loc[:cut])
    assert not a.loc[cut:].equals(b.loc[cut:])
