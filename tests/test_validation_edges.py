"""The splitters' exact folds on hand-sized inputs: time-span embargoes and test sizes at their bounds, integer test
blocks, the first training stretch, rolling windows, gaps as spans, CPCV's paths; and every error with its message."""
import datetime as dt
import numpy as np, pandas as pd, pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from tradebot.validation import WalkForward, PurgedKFold, CombinatorialPurgedCV, fold_local

def _data(n=20, span=1):
    "n hourly samples whose labels end `span` bars later (NaT past the end)."
    ix = pd.date_range('2024-01-01', periods=n, freq='h', tz='UTC')
    t1 = pd.Series(ix, index=ix).shift(-span)
    return pd.DataFrame({'x': np.arange(n, dtype=float)}, index=ix), t1

def _folds(cv, X): return [(tr.tolist(), te.tolist()) for tr, te in cv.split(X)]

def test_purged_kfold_embargo_in_samples_and_as_a_time_span():
    X, t1 = _data(20)
    # fold 2 tests 5..9; its last label ends at bar 10's open, so 4 and 10 overlap it and the embargo starts at 11
    tr, te = _folds(PurgedKFold(4, t1=t1, embargo=3), X)[1]
    assert te == list(range(5, 10)) and tr == [0, 1, 2, 3] + list(range(14, 20))
    tr, te = _folds(PurgedKFold(4, t1=t1, embargo='3h'), X)[1]
    assert tr == [0, 1, 2, 3] + list(range(14, 20))              # 3h after bar 10: samples starting up to 13:00 are out
    tr, _ = _folds(PurgedKFold(4, t1=t1, embargo=pd.Timedelta('150min')), X)[1]
    assert tr == [0, 1, 2, 3] + list(range(13, 20))
    tr, _ = _folds(PurgedKFold(4, t1=t1, embargo=0), X)[1]
    assert tr == [0, 1, 2, 3] + list(range(11, 20))
    assert _folds(PurgedKFold(4), X)[1] == (list(range(5)) + list(range(10, 20)), list(range(5, 10)))   # no t1: no purge
    unknown = t1.copy(); unknown.iloc[9] = pd.NaT                # an unsettled test label: everything after it overlaps
    assert _folds(PurgedKFold(4, t1=unknown, embargo=2), X)[1][0] == [0, 1, 2, 3]

def test_cpcv_purges_each_test_block_and_assembles_paths():
    X, t1 = _data(24)
    cv = CombinatorialPurgedCV(4, 2, t1=t1, embargo=1)
    assert cv.get_n_splits() == 6 and cv.n_paths == 3
    np.testing.assert_array_equal(cv.path_splits(), [[0, 0, 1, 2], [1, 3, 3, 4], [2, 4, 5, 5]])
    tr, te = _folds(cv, X)[1]                                   # groups 0 and 2 tested: 0-5 and 12-17
    assert te == list(range(0, 6)) + list(range(12, 18))
    assert tr == [8, 9, 10] + [20, 21, 22, 23]                  # 6 overlaps, 7 embargoed; 11 overlaps; 18 overlaps, 19 embargoed
    splits = list(cv.split(X))
    paths = cv.assemble_paths([te*10.0 for _, te in splits], 24)
    np.testing.assert_array_equal(paths, np.tile(np.arange(24)*10.0, (3, 1)))
    with pytest.raises(ValueError, match=r'expected 6 prediction arrays \(one per split\), got 2'): cv.assemble_paths(splits[:2], 24)
    assert 'CombinatorialPurgedCV(4 groups of ~6 samples, 2 tested per split: 6 splits, 3 paths, purged by label end time t1, embargo 1 bars)' == cv.describe(X)

def test_walk_forward_time_spans_at_their_bounds():
    X, _ = _data(30)
    cv = WalkForward(3, min_train='10h', test_size='5h')
    f = _folds(cv, X)
    assert [te for _, te in f] == [list(range(15, 20)), list(range(20, 25)), list(range(25, 30))]   # the last 5 hours each
    assert [tr for tr, _ in f] == [list(range(15)), list(range(20)), list(range(25))]
    f = _folds(WalkForward(2, min_train='10h'), X)               # 10 hours from the first bar: 10 samples
    assert f[0] == (list(range(10)), list(range(10, 20))) and f[1][1] == list(range(20, 30))
    f = _folds(WalkForward(2, min_train=10, gap='2h'), X)
    assert f[0] == (list(range(8)), list(range(10, 20))) and f[1][0] == list(range(18))
    f = _folds(WalkForward(2, min_train=10, max_train='4h'), X)  # rolling 4 hours back from the last training bar
    assert f[0][0] == [6, 7, 8, 9] and f[1][0] == [16, 17, 18, 19]
    f = _folds(WalkForward(2, min_train=10, max_train=dt.timedelta(hours=4)), X)
    assert f[0][0] == [6, 7, 8, 9]

def test_walk_forward_integer_sizes():
    X, t1 = _data(30)
    f = _folds(WalkForward(3, min_train=10, test_size=5), X)     # the blocks end at the last sample
    assert [te for _, te in f] == [list(range(15, 20)), list(range(20, 25)), list(range(25, 30))]
    assert f[0][0] == list(range(15))
    f = _folds(WalkForward(3, min_train=0.5), X)                 # a fraction of the samples; the rest split evenly
    assert [te for _, te in f] == [list(range(15, 20)), list(range(20, 25)), list(range(25, 30))]
    f = _folds(WalkForward(2, min_train=10, gap=3, max_train=5), X)
    assert f[0] == ([2, 3, 4, 5, 6], list(range(10, 20))) and f[1][0] == list(range(12, 17))
    f = _folds(WalkForward(2, min_train=10, t1=_data(30, 3)[1]), X)   # 3-bar labels: the last 3 before the test are purged
    assert f[0][0] == list(range(7)) and f[1][0] == list(range(17))
    assert WalkForward(3, min_train=10, test_size=5).describe(X) == ('WalkForward(expanding, 3 test blocks of ~5 samples after 15 '
        'training samples, min_train=10, gap=0, not purged (no t1), no embargo needed: training only precedes testing)')
    assert 'rolling window 5' in repr(WalkForward(2, max_train=5)) and '2 test blocks of 4' in WalkForward(2, test_size=4).describe()

def test_walk_forward_first_training_stretch_is_never_empty():
    X, _ = _data(10)
    assert _folds(WalkForward(2, min_train=1), X) == [([0], [1, 2, 3, 4]), ([0, 1, 2, 3, 4], [5, 6, 7, 8, 9])]
    for kw in (dict(min_train=0), dict(min_train=0.0), dict(min_train=1, gap=1), dict(min_train=9, n_splits=2),
               dict(min_train=5, test_size=6), dict(min_train=2, test_size=3, n_splits=3, gap=1)):
        kw = dict(n_splits=2) | kw
        with pytest.raises(ValueError, match='10 samples are too few for min_train='): list(WalkForward(**kw).split(X))
    assert len(_folds(WalkForward(2, min_train=2, test_size=4), X)) == 2
    with pytest.raises(ValueError, match='too few'): list(WalkForward(2, min_train=8).split(X))   # n0 + gap must stay under n - n_splits
    assert _folds(WalkForward(2, min_train=7), X)[1][1] == [8, 9]
    assert _folds(WalkForward(1, min_train=4), X) == [([0, 1, 2, 3], [4, 5, 6, 7, 8, 9])]       # a single test block

def test_t1_longer_than_X_is_aligned_to_X():
    X, t1 = _data(20)
    sub = X.iloc[5:]
    a = _folds(PurgedKFold(3, t1=t1, embargo=1), sub)
    b = _folds(PurgedKFold(3, t1=t1.iloc[5:], embargo=1), sub)
    assert a == b
    dup = pd.concat([t1, t1.iloc[:3]]).sort_index()             # a repeated label start keeps its first label
    assert _folds(PurgedKFold(3, t1=dup, embargo=1), X) == _folds(PurgedKFold(3, t1=t1, embargo=1), X)

def test_splitter_errors_name_the_problem():
    X, t1 = _data(10)
    with pytest.raises(TypeError, match='t1 must be a pandas Series of label end times indexed by label start, got ndarray'):
        list(PurgedKFold(3, t1=t1.to_numpy()).split(X))
    with pytest.raises(TypeError, match=r't1 must be indexed by label start time \(a DatetimeIndex\)'):
        list(PurgedKFold(3, t1=t1.reset_index(drop=True)).split(X.to_numpy()))
    back = t1.copy(); back.index = t1.index[[0, 1, 2, 5, 3, 4, 6, 7, 8, 9]]
    with pytest.raises(ValueError, match="t1's index goes back in time at 2024-01-01 03:00"): list(PurgedKFold(3, t1=back).split(X.to_numpy()))
    early = t1.copy(); early.iloc[6] = t1.index[2]
    with pytest.raises(ValueError, match='t1 ends before its label starts at 2024-01-01 06:00'): list(PurgedKFold(3, t1=early).split(X))
    with pytest.raises(ValueError, match='n_splits must be >= 1, got 0'): WalkForward(0)
    with pytest.raises(ValueError, match='gap must be >= 0 bars, got -1'): WalkForward(2, gap=-1)
    with pytest.raises(ValueError, match='n_splits must be >= 2, got 1'): PurgedKFold(1)
    with pytest.raises(ValueError, match='4 samples are too few for 5 folds'): list(PurgedKFold(5).split(np.zeros(4)))
    assert len(list(PurgedKFold(5).split(np.zeros(5)))) == 5
    with pytest.raises(ValueError, match=r'need 1 <= n_test_groups < n_groups, got 6 of 6'): CombinatorialPurgedCV(6, 6)
    with pytest.raises(ValueError, match=r'need 1 <= n_test_groups < n_groups, got 0 of 6'): CombinatorialPurgedCV(6, 0)
    with pytest.raises(ValueError, match='5 samples are too few for 6 groups'): list(CombinatorialPurgedCV(6, 2).split(np.zeros(5)))
    assert len(list(CombinatorialPurgedCV(6, 2).split(np.zeros(6)))) == 15
    with pytest.raises(ValueError, match='embargo must be >= 0 samples, got -2'): CombinatorialPurgedCV(6, 2, embargo=-2)
    with pytest.raises(ValueError, match=r"gap='2h' is a time span, which needs a DatetimeIndex on X or on t1"):
        list(WalkForward(2, gap='2h').split(np.zeros(10)))
    assert PurgedKFold(3, embargo=0).describe() == 'PurgedKFold(3 contiguous folds, not purged (no t1), embargo 0 bars)'
    assert 'embargo 0 days 02:00:00' in PurgedKFold(3, embargo='2h').describe()

def test_fold_local_with_arrays_and_a_transform_that_changes_width():
    X = np.random.default_rng(0).normal(size=(30, 3)); tr, te = np.arange(20), np.arange(20, 30)
    sc, a, b = fold_local(StandardScaler, X, tr, te)
    np.testing.assert_allclose(sc.mean_, X[:20].mean(0)); np.testing.assert_allclose(b, (X[20:] - X[:20].mean(0))/X[:20].std(0))
    df = pd.DataFrame(X, columns=list('abc'))
    _, a, b = fold_local(lambda: PCA(2), df, tr, te)
    assert list(a.columns) == [0, 1] and b.index.tolist() == list(range(20, 30))

def test_blocks_are_maximal_runs():
    "Test positions are purged and embargoed per run of consecutive positions: a run is split only at a gap (one run per block, not one per bar)."
    from tradebot.validation import _blocks
    got = _blocks(np.array([3, 4, 5, 9, 10, 12]))
    assert [b.tolist() for b in got] == [[3, 4, 5], [9, 10], [12]]
    assert _blocks(np.array([], int)) == [] and [b.tolist() for b in _blocks(np.arange(4))] == [[0, 1, 2, 3]]
