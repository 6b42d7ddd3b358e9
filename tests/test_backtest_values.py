"""`run_backtest` checked by value on hand-built bars: no per-bar input may read its own bar (perturb bar t alone,
the cost at t must not move), impact and funding to the cent, the ledger when a position is added to or cut, MAE/MFE
for longs, shorts and gap exits, ruin at exactly zero, the drawdown's starting capital, the sweep's every column, and
every error path."""
import numpy as np, pandas as pd, pytest
from tradebot.backtest import CostModel, run_backtest, run_backtests, SWEEP_COLUMNS

def _bars(o, h=None, l=None, c=None, v=1.0, freq='h'):
    o = np.asarray(o, float); c = o if c is None else np.asarray(c, float)
    h = np.maximum(o, c) if h is None else np.asarray(h, float); l = np.minimum(o, c) if l is None else np.asarray(l, float)
    idx = pd.date_range('2024-01-01', periods=len(o), freq=freq, tz='UTC', name='ts')
    return pd.DataFrame(dict(open=o, high=h, low=l, close=c, volume=v), index=idx)

def _walk(n=80, seed=0):
    rng = np.random.default_rng(seed); c = 100*np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    o = np.r_[100.0, c[:-1]]*np.exp(rng.normal(0, 0.002, n))
    return _bars(o, np.maximum(o, c)*1.003, np.minimum(o, c)*0.997, c, rng.uniform(50, 150, n))

def test_costs_at_bar_t_never_read_bar_t():
    "The volatility and average volume that price a fill at bar t's open come from bars before t: bar t's own range cannot move them."
    bars = _walk(); n = len(bars)
    pos = pd.Series(np.where(np.arange(n)//3 % 2 == 0, 1.0, -0.5), index=bars.index)    # a fill every third bar
    cm = CostModel(0, 0, slippage='volatility', slippage_vol_mult=0.5, impact_k=0.5, vol_window=5)
    base = run_backtest(bars, pos, cm, cash=1e5).bars_out
    fills = np.flatnonzero(base.turnover.to_numpy() > 0)
    assert fills[0] == 1 and base.slippage.iloc[1] == 0 and base.impact.iloc[1] == 0   # volatility unknown yet: filled, at no vol cost
    for t in fills[(fills > 10) & (fills < n - 5)][:4]:
        alt = bars.copy(); j = alt.columns.get_indexer(['high', 'close', 'volume'])
        alt.iloc[t, j] = [alt.high.iloc[t]*1.2, alt.close.iloc[t]*1.15, alt.volume.iloc[t]*50]
        got = run_backtest(alt, pos, cm, cash=1e5).bars_out
        assert got.slippage.iloc[t] == base.slippage.iloc[t] and got.impact.iloc[t] == base.impact.iloc[t], t
        assert got.units.iloc[t] == base.units.iloc[t] and got.cost.iloc[t] == base.cost.iloc[t], t
        later = fills[fills > t][0]                     # ...while the next fill does see bar t
        assert got.slippage.iloc[later] != base.slippage.iloc[later] and got.impact.iloc[later] != base.impact.iloc[later]

def test_impact_units_and_costs_by_value():
    bars = _walk(40, 1); t, w, k, C = 30, 6, 0.8, 2e5
    pos = pd.Series(np.where(np.arange(40) >= t - 1, 1.0, 0.0), index=bars.index)   # decided at t-1's close, filled at t's open
    res = run_backtest(bars, pos, CostModel(0, 0, impact_k=k, vol_window=w), cash=C).bars_out
    r = np.diff(np.log(bars.close.to_numpy()))                    # r[j-1] is bar j's close-to-close return
    sig = np.std(r[t-1-w:t-1], ddof=1); adv = bars.volume.iloc[t-w:t].mean(); p = bars.open.iloc[t]
    ir0 = k*sig*np.sqrt(C/p/adv)                                  # the first guess sizes the order...
    un = C/(1 + ir0)/p
    ir = k*sig*np.sqrt(un/adv)                                    # ...and the order's own size sets its impact
    assert res.units.iloc[t] == pytest.approx(un, rel=1e-12)
    assert res.impact.iloc[t] == pytest.approx(ir*un*p, rel=1e-9) and res.impact.iloc[t] > 1.0
    assert res.cost.iloc[t] == pytest.approx(ir*un*p/C, rel=1e-9)
    assert res.turnover.iloc[t] == pytest.approx(un*p/C, rel=1e-12)
    assert res.fees.iloc[t] == 0 and res.slippage.iloc[t] == 0
    assert res.impact.drop(res.index[t]).eq(0).all()
    # a round trip: the ledger carries both fills' impact, and its pnl is the equity change
    rt = run_backtest(bars, pos.where(np.arange(40) < t + 4, 0.0), CostModel(0, 0, impact_k=k, vol_window=w), cash=C)
    assert len(rt.trades) == 1 and rt.trades.exit_reason.iloc[0] == 'signal'
    assert rt.trades.impact.iloc[0] == pytest.approx(rt.bars_out.impact.sum(), rel=1e-12) and (rt.bars_out.impact > 0).sum() == 2
    assert rt.trades.pnl.iloc[0] == pytest.approx(rt.bars_out.value.iloc[-1] - C, rel=1e-9)
    x = t + 5; sig_x = np.std(r[x-1-w:x-1], ddof=1); adv_x = bars.volume.iloc[x-w:x].mean(); px = bars.open.iloc[x]
    assert rt.bars_out.impact.iloc[x] == pytest.approx(k*sig_x*np.sqrt(un/adv_x)*un*px, rel=1e-9)   # the exit's own size
    # slippage proportional to the same causal volatility
    vs = run_backtest(bars, pos, CostModel(0, 0, slippage='volatility', slippage_vol_mult=0.7, vol_window=w), cash=C).bars_out
    sr = 0.7*sig; u = C/(1 + sr)/p
    assert vs.units.iloc[t] == pytest.approx(u, rel=1e-12) and vs.slippage.iloc[t] == pytest.approx(sr*u*p, rel=1e-12)
    vs2 = run_backtest(bars, pos, CostModel(0, 2, half_spread_bps=1, slippage='volatility', slippage_vol_mult=0.7, vol_window=w), cash=C).bars_out
    assert vs2.slippage.iloc[t] == pytest.approx((sr + 1e-4)*vs2.units.iloc[t]*p, rel=1e-12)   # fixed slippage off, half-spread on

def test_funding_by_value():
    bars = _bars([100.0]*5); ix = bars.index; H = pd.Timedelta(hours=1)
    fr = pd.Series({ix[0] - H/2: 0.5,        # before the data: ignored
                    ix[0] + H/6: 0.2,         # bar 0, before the position is filled: nothing held, nothing paid
                    ix[2]: 0.001,             # due exactly at bar 2's open: bar 2, not bar 1
                    ix[2] + H/2: 0.0005,      # same bar: summed
                    ix[3] + 59*H/60: -0.002,  # a negative rate: longs receive
                    ix[4] + H/2: 0.003,       # inside the last bar's hour: charged
                    ix[4] + H: 0.1,           # after the last bar: ignored
                    ix[1] + H/2: np.nan}).sort_index()   # a rate not published: no payment
    for side in (1.0, -1.0):
        res = run_backtest(bars, pd.Series(side, index=ix), CostModel(0, 0), funding=fr); b = res.bars_out
        pay = side*np.array([0, 0, 15.0, -20.0, 30.0])             # 100 units x 100 x rate
        np.testing.assert_allclose(b.funding, pay, atol=1e-9)
        value = 10_000 - np.cumsum(pay)
        np.testing.assert_allclose(b.value, value, rtol=1e-12)
        np.testing.assert_allclose(b.net, value/np.r_[10_000, value[:-1]] - 1, atol=1e-15)
        np.testing.assert_allclose(b.cost, pay/np.r_[10_000, value[:-1]], atol=1e-15)   # funding is a cost (negative: a credit)
        np.testing.assert_allclose(b.gross, 0.0, atol=1e-15)                             # the price never moved
        t = res.trades.iloc[0]
        assert t.funding == pytest.approx(pay.sum()) and t.pnl == pytest.approx(-pay.sum()) and t.ret == pytest.approx(-pay.sum()/1e4)
    with pytest.raises(ValueError, match='funding must be a Series of rates on a UTC DatetimeIndex'):
        run_backtest(bars, pd.Series(1.0, index=ix), funding=pd.Series([0.01, 0.02]))

def _order(u, cash, f, p, c):
    "The engine's sizing rule (target fraction f of equity after paying cost rate c on the order)."
    eq = cash + u*p; d = f*eq - u*p
    return u + d/(1 + f*c*np.sign(d))/p

def test_ledger_when_adding_to_and_cutting_a_position():
    o = [100.0, 100, 110, 120, 120]
    bars = _bars(o, h=[100, 101, 112, 125, 121], l=[100, 95, 105, 118, 119], c=[100, 105, 115, 121, 120])
    res = run_backtest(bars, pd.Series([0.5, 1.0, 0.5, 0.5, 0.5], index=bars.index), CostModel(0, 10))
    s = 0.001; u1 = _order(0, 1e4, 0.5, 100, s); cash = 1e4 - u1*100*(1 + s)
    u2 = _order(u1, cash, 1.0, 110, s); cash -= (u2 - u1)*110*(1 + s)
    u3 = _order(u2, cash, 0.5, 120, s)
    np.testing.assert_allclose(res.bars_out.units, [0, u1, u2, u3, u3], rtol=1e-12)
    assert len(res.trades) == 1
    t = res.trades.iloc[0]; a = u2 - u1
    ref = (100*u1 + 110*a)/u2                                      # entry: the unit-weighted average of the two fills
    assert t.entry_price == pytest.approx(ref*(1 + s), rel=1e-12)
    assert t['size'] == pytest.approx(u2, rel=1e-12)               # the largest size held, not the last
    assert t.mae == pytest.approx(95/ref - 1, rel=1e-12) and t.mfe == pytest.approx(125/ref - 1, rel=1e-12)
    assert (t.bars, t.exit_reason, t.exit_price) == (4, 'open', 120.0)   # an open trade counts the last bar
    assert t.slippage == pytest.approx(res.bars_out.slippage.sum(), rel=1e-12)
    assert t.pnl == pytest.approx(res.bars_out.value.iloc[-1] - 1e4, rel=1e-9)
    # a stop refers to the averaged entry: 50 units at 100, then 45.45 more at 110 (to 100% of 10,500), so 5% under 104.76
    sb = bars.assign(low=[100.0, 97, 99, 118, 119])
    st = run_backtest(sb, pd.Series([0.5, 1.0, 1.0, 1.0, 1.0], index=sb.index), CostModel(0, 0), stop_loss=0.05)
    a = 10_500/110 - 50; ref0 = (100*50 + 110*a)/(50 + a)
    assert st.trades.exit_reason.tolist() == ['stop_loss'] and st.trades.exit_price.iloc[0] == pytest.approx(ref0*0.95, rel=1e-12)
    assert st.trades.exit.iloc[0] == sb.index[2]

def test_lots_stop_ties_and_headline_stats():
    b3 = _bars([3000.0]*3)
    assert run_backtest(b3, [1.0]*3, CostModel(0, 0, lot=2)).bars_out.units.tolist() == [0, 2, 2]      # 3.33 units -> 2
    assert run_backtest(b3, [-1.0]*3, CostModel(0, 0, lot=0.5)).bars_out.units.tolist() == [0, -3, -3]
    b = _bars([100.0]*4, l=[100, 94, 100, 100], h=[100, 100, 100, 100])
    t = run_backtest(b, [1.0]*4, CostModel(0, 0), stop_loss=0.05, trailing_stop=0.05).trades.iloc[0]
    assert (t.exit_reason, t.exit_price) == ('stop_loss', 95.0)     # trailing at the same level as the stop: a stop-loss
    bars = _bars([100.0, 100, 110, 121], h=[100, 110, 121, 130], l=[100, 100, 110, 120], c=[100, 110, 121, 125])
    res = run_backtest(bars, [1.0, 1, 0, 0]); c = CostModel().per_turnover; st = res.stats
    assert (st['start'], st['end'], st['bars'], st['n_trades']) == (bars.index[0], bars.index[-1], 4, 1)
    assert st['equity_final'] == pytest.approx(1.21e4*(1 - c)/(1 + c)) and st['total_return'] == pytest.approx(1.21*(1 - c)/(1 + c) - 1)
    assert st['exposure'] == pytest.approx(0.5) and st['turnover'] == pytest.approx(1/(1 + c) + 1) and st['win_rate'] == 1.0
    assert st['fees'] == pytest.approx(res.bars_out.fees.sum()) and st['fees'] == pytest.approx(1e-3*(1e4 + 1.21e4)/(1 + c))
    assert st['slippage'] == pytest.approx(5e-4*(1e4 + 1.21e4)/(1 + c)) and st['impact'] == 0 and st['funding'] == 0
    assert st['max_drawdown'] == pytest.approx(min(res.drawdown)) and st['max_drawdown'] < 0

def test_mae_mfe_for_shorts_and_gap_exits():
    # short from 100 (bar 1's open), held over bars 1-2, bought back at bar 3's open of 108: above every high held
    bars = _bars([100.0, 100, 101, 108], h=[100, 104, 106, 109], l=[100, 97, 95, 107], c=[100, 101, 103, 108])
    t = run_backtest(bars, pd.Series([-1.0, -1, 0, 0], index=bars.index), CostModel(0, 0)).trades.iloc[0]
    assert (t.side, t.bars, t.exit_reason) == (-1, 2, 'signal')
    assert t.mae == pytest.approx(-0.08) and t.mfe == pytest.approx(0.05)
    assert t.ret == pytest.approx(-0.08) and t.exit_price == 108
    # the long mirror: sold at a gap down to 92, under every low held
    bars = _bars([100.0, 100, 99, 92], h=[100, 103, 105, 93], l=[100, 96, 94, 91], c=[100, 99, 97, 92])
    t = run_backtest(bars, pd.Series([1.0, 1, 0, 0], index=bars.index), CostModel(0, 0)).trades.iloc[0]
    assert t.mae == pytest.approx(-0.08) and t.mfe == pytest.approx(0.05)

def test_gross_and_cost_by_value():
    "Costs are paid at the fill, so gross is the price move on the fraction held and cost the fraction of equity paid."
    bars = _bars([100.0, 100, 110, 121], h=[100, 110, 121, 130], l=[100, 100, 110, 120], c=[100, 110, 121, 125])
    res = run_backtest(bars, pd.Series([1.0, 1, 0, 0], index=bars.index)); c = CostModel().per_turnover; b = res.bars_out
    np.testing.assert_allclose(b.gross, [0, 0.1, 0.1, 0], atol=1e-12)
    np.testing.assert_allclose(b.cost, [0, c/(1 + c), 0, c], rtol=1e-12)
    np.testing.assert_allclose(b.turnover, [0, 1/(1 + c), 0, 1], rtol=1e-12)
    np.testing.assert_allclose(b.held, [0, 1, 1, 0], rtol=1e-12)
    np.testing.assert_allclose(b.fees, [0, 1e4/(1 + c)*1e-3, 0, 1.21e4/(1 + c)*1e-3], rtol=1e-12)

def test_gross_returns_are_the_costless_run():
    "Sizing targets the fraction of equity left after the order's own cost, so the paid run's gross returns are the free run's returns."
    bars = _walk(300, 2); rng = np.random.default_rng(3)
    pos = pd.Series(np.repeat(rng.choice([-1.0, -0.5, 0, 0.5, 1.0], 60), 5), index=bars.index)
    free = run_backtest(bars, pos, CostModel(0, 0)); paid = run_backtest(bars, pos, CostModel(10, 5, half_spread_bps=2))
    np.testing.assert_allclose(paid.bars_out.gross, free.returns, atol=1e-12)
    np.testing.assert_allclose(paid.bars_out.held, free.bars_out.held, atol=1e-12)
    assert (paid.bars_out.cost[paid.bars_out.turnover > 0] > 0).all() and paid.equity.iloc[-1] < free.equity.iloc[-1]

def test_ruin_at_exactly_zero_stops_trading():
    bars = _bars([100.0, 100, 100, 100], c=[100, 0, 100, 100], l=[100, 0, 100, 100])
    with np.errstate(divide='ignore', invalid='ignore'):
        res = run_backtest(bars, pd.Series([1.0, 1, 1, 1], index=bars.index), CostModel(0, 0))
    np.testing.assert_array_equal(res.bars_out.equity, [1, 0, 0, 0]); np.testing.assert_array_equal(res.bars_out.units, [0, 0, 0, 0])
    t = res.trades.iloc[0]
    assert len(res.trades) == 1 and t.exit == bars.index[1] and t.pnl == pytest.approx(-1e4)

def test_drawdown_counts_from_the_starting_capital():
    bars = _bars([100.0, 100, 101, 102], c=[100, 101, 102, 103])
    res = run_backtest(bars, pd.Series(1.0, index=bars.index), fill='close')
    assert res.equity.iloc[0] < 1 and res.drawdown.iloc[0] == pytest.approx(res.equity.iloc[0] - 1)
    assert res.stats['max_drawdown'] == pytest.approx(res.equity.iloc[0] - 1)
    assert res.drawdown.iloc[-1] == 0 or res.equity.iloc[-1] < 1

def test_sweep_equals_single_runs_in_every_column():
    bars = _walk(200, 4); rng = np.random.default_rng(5)
    P = pd.DataFrame({f'v{j}': np.repeat(rng.choice([-1.0, 0, 0.5, 1.0], 40), 5) for j in range(4)}, index=bars.index)
    cm = CostModel(10, 5, impact_k=0.2, slippage='volatility', slippage_vol_mult=0.1)
    sw = run_backtests(bars, P, cm, periods_per_year=365, stop_loss=0.02, cash=1e5)
    assert list(sw.columns) == list(SWEEP_COLUMNS) and list(sw.index) == list(P.columns)
    for v in P:
        one = run_backtest(bars, P[v], cm, stop_loss=0.02, cash=1e5); r = one.returns
        exp = dict(total_return=one.equity.iloc[-1] - 1, sharpe=r.mean()/r.std(ddof=1)*np.sqrt(365), max_drawdown=one.drawdown.min(),
                   n_trades=len(one.trades), turnover=one.bars_out.turnover.sum(), exposure=(one.bars_out.held != 0).mean())
        for k, x in exp.items(): assert sw.loc[v, k] == pytest.approx(x, rel=1e-9, abs=1e-15), (v, k)
    arr = run_backtests(bars, P.to_numpy(), cm, periods_per_year=365, stop_loss=0.02, cash=1e5)
    np.testing.assert_allclose(arr.to_numpy(), sw.to_numpy(), rtol=1e-12)

def test_positions_as_an_array_and_every_error():
    bars = _bars([100.0, 101, 102, 103]); pos = [0.0, 1, 1, 0]
    a, s = run_backtest(bars, pos), run_backtest(bars, pd.Series(pos, index=bars.index))
    pd.testing.assert_frame_equal(a.bars_out, s.bars_out)
    with pytest.raises(ValueError, match='positions have 3 values for 4 bars'): run_backtest(bars, pos[:3])
    with pytest.raises(ValueError, match='positions are NaN from 2024-01-01 02:00'): run_backtest(bars, [0.0, 1, np.nan, 0])
    with pytest.raises(ValueError, match="CostModel.liquidity must be 'taker' or 'maker', got 'both'"): CostModel(liquidity='both')
    with pytest.raises(ValueError, match="CostModel.slippage must be 'fixed' or 'volatility'"): CostModel(slippage='vol')
    with pytest.raises(ValueError, match='CostModel.vol_window must be >= 2 bars, got 1'): CostModel(vol_window=1)
    with pytest.raises(ValueError, match="bars have no column 'low'"): run_backtest(bars.drop(columns='low'), pos)
    with pytest.raises(ValueError, match="rebalance must be 'change' or 'bar', got 'daily'"): run_backtest(bars, pos, rebalance='daily')
    with pytest.raises(ValueError, match="fill must be 'open'"): run_backtest(bars, pos, fill='next')
    with pytest.raises(ValueError, match="positive 'volume' column"): run_backtest(bars.assign(volume=0.0), pos, CostModel(impact_k=1))
    P = pd.DataFrame({'a': pos, 'b': pos}, index=bars.index)
    with pytest.raises(ValueError, match="positions must be on the bars' index"): run_backtests(bars, P.iloc[::-1])
    with pytest.raises(ValueError, match=r'positions must be \(bars x variants\) = \(4, m\), got \(3, 2\)'): run_backtests(bars, P.to_numpy()[:3])
    with pytest.raises(ValueError, match=r'positions must be \(bars x variants\) = \(4, m\), got \(4,\)'): run_backtests(bars, np.array(pos))
    with pytest.raises(ValueError, match="positions are NaN in variant 'b'"): run_backtests(bars, P.assign(b=[0.0, np.nan, 1, 1]))
    assert CostModel(liquidity='maker').fee_rate == pytest.approx(2e-4) and CostModel().fee_rate == pytest.approx(1e-3)

def test_borrow_by_value():
    "A spot short pays `borrow_bps_per_day` on its value for each bar's span held (the last bar: the median span); a long pays none."
    for bps, freq, days in ((1.0, 'h', 1/24), (2.5, 'D', 1.0)):        # 1 bps a day is the crypto_spot default: must be charged
        bars = _bars([100.0]*6, freq=freq); ix = bars.index
        b = run_backtest(bars, pd.Series(-1.0, index=ix), CostModel(0, 0, borrow_bps_per_day=bps)).bars_out
        short = b.units.to_numpy() < 0
        assert short.sum() >= 5
        np.testing.assert_allclose(b.borrow.to_numpy(), np.where(short, -b.units.to_numpy()*100.0*bps/1e4*days, 0.0), rtol=1e-12)
        np.testing.assert_allclose(b.value.iloc[-1], 10_000 - b.borrow.sum(), rtol=1e-12)
        long = run_backtest(bars, pd.Series(1.0, index=ix), CostModel(0, 0, borrow_bps_per_day=bps)).bars_out
        assert (long.borrow == 0).all()
    one = _bars([100.0])                                                  # one bar has no span to measure: no borrow, no NaN
    b = run_backtest(one, pd.Series(-1.0, index=one.index), CostModel(0, 0, borrow_bps_per_day=1.0)).bars_out
    assert np.isfinite(b.value).all() and (b.borrow == 0).all()

def test_funding_on_exactly_one_unit():
    "A position of exactly one unit pays funding like any other size (cash 100 at price 100: one unit long)."
    bars = _bars([100.0]*4); ix = bars.index
    fr = pd.Series({ix[2]: 0.01})
    b = run_backtest(bars, pd.Series(1.0, index=ix), CostModel(0, 0), cash=100.0, funding=fr).bars_out
    assert b.units.iloc[2] == 1.0
    np.testing.assert_allclose(b.funding.to_numpy(), [0, 0, 1.0, 0], atol=1e-12)      # 1 unit x 100 x 1%
