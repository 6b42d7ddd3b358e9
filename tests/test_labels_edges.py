"""Labels on hand-made prices: zero returns, barriers touched exactly, zero and negative widths, the vertical barrier
on the last bar, shorts, uniqueness by hand, and every error with its message."""
import numpy as np, pandas as pd, pytest
from tradebot.labels import (forward_return, direction_label, causal_vol, dead_zone_label, triple_barrier, meta_label,
                             uniqueness_weights)

def _bars(close):
    c = np.asarray(close, float); ix = pd.date_range('2024-01-01', periods=len(c), freq='h', tz='UTC')
    return pd.DataFrame(dict(open=c, high=c, low=c, close=c, volume=1.0), index=ix)

def test_direction_label_every_value():
    b = _bars([1.0, 1, 2, 2, 1, 1.5]); ix = b.index
    lab = direction_label(b, 1)
    np.testing.assert_array_equal(lab.y__dir_1, [0, 1, 0, 0, 1, np.nan])          # an unchanged price is not "up"
    assert lab.t1.tolist()[:5] == list(ix[1:]) and pd.isna(lab.t1.iloc[5])
    lab2 = direction_label(b, 2)
    np.testing.assert_array_equal(lab2.y__dir_2, [1, 1, 0, 0, np.nan, np.nan])
    np.testing.assert_allclose(lab2.fwd_ret.iloc[:4], np.log([2, 2, 0.5, 0.75]))
    with pytest.raises(ValueError, match='horizon must be >= 1 bar, got 0'): forward_return(b.close, 0)

def test_causal_vol_and_dead_zone_by_value():
    b = _bars([100.0, 101, 100, 102, 102, 101, 103, 103])
    v = causal_vol(b.close, 2, 4)
    exp = np.log(b.close).diff().ewm(span=2, min_periods=2).std()*2
    np.testing.assert_allclose(v, exp); assert v.iloc[:2].isna().all() and v.iloc[2:].notna().all()
    with pytest.raises(ValueError, match='span must be >= 2 bars, got 1'): causal_vol(b.close, 1)
    dz = dead_zone_label(b, 1, k=0.5, vol_span=2)
    r = np.log(b.close).shift(-1) - np.log(b.close); band = 0.5*np.log(b.close).diff().ewm(span=2, min_periods=2).std()
    exp = np.where(r > band, 1.0, np.where(r < -band, -1.0, 0.0)); exp[:2] = np.nan; exp[-1] = np.nan
    np.testing.assert_array_equal(dz.y__dz_1, exp)
    assert dz.y__dz_1.iloc[3] == 0                               # 102 -> 102: zero, inside any band
    assert set(dz.y__dz_1.dropna()) == {-1.0, 0.0, 1.0}
    assert dz.t1.isna().tolist() == [True, True, False, False, False, False, False, True]
    k0 = dead_zone_label(b, 1, k=0, vol_span=2).y__dz_1
    np.testing.assert_array_equal(k0.iloc[2:7], np.sign(r.iloc[2:7]))
    with pytest.raises(ValueError, match='k must be >= 0, got -0.1'): dead_zone_label(b, 1, k=-0.1)

def test_triple_barrier_exact_touches():
    b = _bars([100.0, 101, 103, 99, 104, 100, 100, 100]); lc = np.log(b.close.to_numpy()); ix = b.index
    up = lc[2] - lc[0]                                           # the profit-take is reached exactly at bar 2
    tb = triple_barrier(b, pt=1, sl=1, max_hold=5, events=ix[:1], trgt=pd.Series(up, index=ix))
    assert (tb.t1.iloc[0], tb.barrier.iloc[0], tb.y__tb.iloc[0]) == (ix[2], 1, 1) and tb.ret.iloc[0] == up
    dn = lc[2] - lc[3]                                           # from bar 2 the stop is reached exactly at bar 3
    tb = triple_barrier(b, pt=5, sl=1, max_hold=5, events=ix[2:3], trgt=pd.Series(dn, index=ix))
    assert (tb.t1.iloc[0], tb.barrier.iloc[0], tb.y__tb.iloc[0]) == (ix[3], -1, -1)
    tb = triple_barrier(b, pt=2, sl=1, max_hold=5, events=ix[2:3], trgt=pd.Series(dn/2, index=ix))   # sl at half: bar 3
    assert tb.t1.iloc[0] == ix[3] and tb.ret.iloc[0] == pytest.approx(-dn)
    tb = triple_barrier(b, pt=0, sl=2, max_hold=5, events=ix[:1], trgt=pd.Series(dn, index=ix))     # no profit-take
    assert tb.barrier.iloc[0] == 0 and tb.t1.iloc[0] == ix[5] and tb.y__tb.iloc[0] == 0   # vertical, return 0: label 0
    tb = triple_barrier(b, pt=1, sl=0, max_hold=3, events=ix[2:3], trgt=pd.Series(1.0, index=ix))   # no stop, wide pt
    assert (tb.barrier.iloc[0], tb.t1.iloc[0], tb.y__tb.iloc[0]) == (0, ix[5], -1)
    assert tb.ret.iloc[0] == pytest.approx(np.log(100/103))

def test_triple_barrier_widths_sides_and_the_last_bar():
    b = _bars([100.0, 100.5, 101, 100.8, 101.2, 100.7]); ix = b.index
    z = triple_barrier(b, max_hold=2, events=ix[:2], trgt=pd.Series([0.0, -0.01], index=ix[:2]))   # no width, no label
    assert z.y__tb.isna().all() and z.t1.isna().all() and z.barrier.isna().all()
    w = pd.Series(0.1, index=ix)                                  # too wide to touch: every label is vertical
    tb = triple_barrier(b, max_hold=2, trgt=w)
    assert tb.t1.tolist()[:4] == list(ix[2:6]) and tb.y__tb.iloc[4:].isna().all()   # bar 3 + 2 = the last bar: known
    np.testing.assert_array_equal(tb.y__tb.iloc[:4], [1, 1, 1, -1]); assert (tb.barrier.iloc[:4] == 0).all()
    assert (triple_barrier(b, max_hold=2, trgt=w, vertical='zero').y__tb.iloc[:4] == 0).all()
    side = pd.Series([-1.0, 0, np.nan, 1, -1, 1], index=ix)
    s = triple_barrier(b, max_hold=2, trgt=w, side=side)
    np.testing.assert_array_equal(s.y__tb.iloc[:4], [-1, np.nan, np.nan, -1])
    assert s.ret.iloc[0] == pytest.approx(-np.log(101/100)); np.testing.assert_array_equal(s.side, side)
    near = _bars([100.0, 100, 100, 103, 100]); trg = pd.Series(np.log(1.02), index=near.index)
    tn = triple_barrier(near, max_hold=5, trgt=trg)               # the path ends before the vertical barrier...
    assert tn.t1.iloc[2] == near.index[3] and tn.y__tb.iloc[2] == 1   # ...but a touch inside it is known
    assert tn.y__tb.iloc[3] == -1 and np.isnan(tn.y__tb.iloc[4]) and (tn.t1.iloc[:3] == near.index[3]).all()

def test_triple_barrier_and_meta_label_errors():
    b = _bars([100.0, 101, 102])
    with pytest.raises(ValueError, match='max_hold must be >= 1 bar, got 0'): triple_barrier(b, max_hold=0)
    with pytest.raises(ValueError, match=r'pt and sl must be >= 0 \(0 switches a barrier off\), got pt=1.0, sl=-1'): triple_barrier(b, sl=-1)
    with pytest.raises(ValueError, match='pt and sl must be >= 0'): triple_barrier(b, pt=-0.5)
    with pytest.raises(ValueError, match="vertical must be 'sign' or 'zero', got 'up'"): triple_barrier(b, vertical='up')
    with pytest.raises(KeyError, match='1 event time'): triple_barrier(b, events=[b.index[0] + pd.Timedelta(minutes=1)])
    with pytest.raises(ValueError, match='side must be \\+1, -1 or 0/NaN; got 0.5 at 2024-01-01 01:00'):
        meta_label(b, pd.Series([1.0, 0.5, -1], index=b.index))

def test_meta_label_pays_only_on_a_positive_return():
    b = _bars([100.0, 102, 100, 100, 98, 98]); ix = b.index
    side = pd.Series([1.0, -1, 0, 1, np.nan, 1], index=ix)
    ml = meta_label(b, side, max_hold=1, trgt=pd.Series(1.0, index=ix))
    assert ml.index.tolist() == [ix[0], ix[1], ix[3], ix[5]]
    np.testing.assert_array_equal(ml.y__meta, [1, 1, 0, np.nan])   # long up, short down: paid; long down: not; last: unknown
    flat = meta_label(_bars([100.0, 100, 100]), pd.Series(1.0, index=_bars([1, 1, 1]).index), max_hold=1,
                      trgt=pd.Series(1.0, index=_bars([1, 1, 1]).index))
    np.testing.assert_array_equal(flat.y__meta, [0, 0, np.nan])     # a zero return did not pay

def test_uniqueness_weights_by_hand():
    ix = pd.date_range('2024-01-01', periods=6, freq='h', tz='UTC')
    t1 = pd.Series([ix[2], ix[3], ix[4], pd.NaT], index=ix[[0, 1, 4, 5]])
    w = uniqueness_weights(t1, ix)
    # label 0 spans the returns of bars 1-2, label 1 those of 2-3: bar 2 is shared; label 2 ends where it starts
    np.testing.assert_allclose(w.iloc[:3], [0.75, 0.75, 1.0]); assert np.isnan(w.iloc[3]) and w.name == 'w__uniqueness'
    three = pd.Series([ix[3], ix[3], ix[5]], index=ix[[0, 2, 3]])
    np.testing.assert_allclose(uniqueness_weights(three, ix), [(1 + 1 + 0.5)/3, 0.5, 1.0])
    assert uniqueness_weights(pd.Series([ix[5]], index=ix[[1]]), ix).iloc[0] == 1.0   # ends on the last bar: fine
    with pytest.raises(KeyError, match='label end 2024-01-01 05:30:00\\+00:00 is after the last bar'):
        uniqueness_weights(pd.Series([ix[5] + pd.Timedelta(minutes=30)], index=ix[[1]]), ix)
    with pytest.raises(KeyError, match='label start 2024-01-01 05:30:00\\+00:00 is not in the bar index'):
        uniqueness_weights(pd.Series([ix[5]], index=[ix[5] + pd.Timedelta(minutes=30)]), ix)
    with pytest.raises(ValueError, match='t1 before its label start at 2024-01-01 03:00'):
        uniqueness_weights(pd.Series([ix[2]], index=ix[[3]]), ix)
