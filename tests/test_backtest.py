"""`run_backtest` against backtesting.py, and `tradebot.metrics` against backtesting.py's stats and empyrical.

Mapping to backtesting.py (0.6.x): a signal change at bar t's close becomes an `exclusive_orders` market order
(`buy`/`sell(size=F)` or `position.close()`), filled at bar t+1's open like ours. backtesting.py buys whole units of
`F x available cash / (price x (1 + commission))`; with a cash of 1e12 and F = 1 - 1e-9 the whole-unit rounding is
below 1e-9 of equity, and that sizing is exactly ours for targets of 0 and +-1 (`D = (fE - V)/(1 + f c sign(fE - V))`).
Commission is a fraction of traded value at entry and exit in both, so `commission=c` maps to `CostModel(c*1e4, 0)`.
"""
import warnings
import numpy as np, pandas as pd, pytest
from backtesting import Backtest, Strategy
from backtesting._stats import compute_stats
from tradebot.data import sample, load_ohlcv
from tradebot.backtest import CostModel, run_backtest, run_backtests
from tradebot.metrics import full_metrics, return_stats, trade_stats, drawdown_episodes, performance

F, CASH = 1 - 1e-9, 1e12

class Follow(Strategy):
    "Trade each change of a precomputed signal; optional stop-loss / take-profit from the fill price `fill_px[i]`."
    sig = fill_px = None; sl = tp = 0.0
    def init(self): pass
    def next(self):
        i = len(self.data) - 1; s, p = self.sig[i], self.sig[i-1]
        if s == p: return
        for t in self.trades: t.sl = t.tp = None  # our signal exit at the open comes before any stop in that bar
        if s == 0: return self.position.close()
        order = self.buy(size=F) if s > 0 else self.sell(size=F)
        if self.sl or self.tp:  # set on the order itself: backtesting.py would check them against the last close, not the fill
            o = self.fill_px[i]
            order._replace(sl_price=o*(1 - s*self.sl) if self.sl else None, tp_price=o*(1 + s*self.tp) if self.tp else None)

def _bt(bars, sig, comm, sl=0.0, tp=0.0, trade_on_close=False):
    df = bars.rename(columns=str.capitalize)[['Open', 'High', 'Low', 'Close', 'Volume']]
    fill_px = bars.close.to_numpy() if trade_on_close else np.r_[bars.open.to_numpy()[1:], np.nan]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # "trades remain open": intended, the last trade is marked at the close in both
        return Backtest(df, Follow, cash=CASH, commission=comm, exclusive_orders=True, trade_on_close=trade_on_close
                        ).run(sig=np.asarray(sig, float), fill_px=fill_px, sl=sl, tp=tp)

def _strategies(bars, seed):
    rng = np.random.default_rng(seed); n = len(bars); c = bars.close
    rand = np.repeat(rng.choice([-1., 0., 1.], n//7 + 1), 7)[:n]
    ma = np.where(c > c.rolling(20, min_periods=1).mean(), 1., -1.)
    mom = np.sign(c.pct_change(10).fillna(0)).to_numpy()
    brk = np.where(c >= c.rolling(50, min_periods=1).max(), 1., np.where(c <= c.rolling(50, min_periods=1).min(), -1., 0.))
    brk = pd.Series(brk).replace(0, np.nan).ffill().fillna(0).to_numpy()  # hold until the opposite breakout
    out = dict(random=rand, ma_cross=ma, momentum=mom, breakout=brk, long_flat=np.clip(ma, 0, 1))
    out = {k: np.array(v, dtype=float) for k, v in out.items()}
    for v in out.values(): v[0] = 0.0  # backtesting.py calls next() from bar 1
    return out

def _btc(shared):
    return load_ohlcv(shared/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz').iloc[-3000:]

def _compare(st, res, name, eq_curve=True):
    ours = res.trades[res.trades.exit_reason != 'open']; theirs = st['_trades']
    assert len(ours) == len(theirs) > 3, name
    assert (ours.entry.to_numpy() == theirs.EntryTime.to_numpy()).all(), name
    assert (ours.exit.to_numpy() == theirs.ExitTime.to_numpy()).all(), name
    assert (ours.side.to_numpy() == np.sign(theirs.Size).to_numpy()).all(), name
    np.testing.assert_allclose(ours.entry_price, theirs.EntryPrice, rtol=1e-12)
    np.testing.assert_allclose(ours.exit_price, theirs.ExitPrice, rtol=1e-12)
    np.testing.assert_allclose(ours['size'], theirs.Size.abs(), rtol=1e-6)
    np.testing.assert_allclose(ours.pnl, theirs.PnL, rtol=1e-4, atol=CASH*1e-8)
    if eq_curve: np.testing.assert_allclose(res.bars_out.value, st['_equity_curve'].Equity, rtol=1e-4)  # 0.01%
    assert abs(res.bars_out.value.iloc[-1]/st['Equity Final [$]'] - 1) < 1e-4, name

def _check_same(bars, comm, seed=0):
    for name, sig in _strategies(bars, seed).items():
        st = _bt(bars, sig, comm)
        _compare(st, run_backtest(bars, pd.Series(sig, index=bars.index), CostModel(comm*1e4, 0), cash=CASH), name)

@pytest.mark.parametrize('name,comm', [('GOOG', 0.002), ('EURUSD', 0.0001)])
def test_same_as_backtesting_py_samples(name, comm):
    _check_same(sample(name), comm)

def test_same_as_backtesting_py_btc_1h(shared_data):
    _check_same(_btc(shared_data), 0.001, seed=1)

def _stop_cases(shared):
    yield sample('EURUSD'), 0.003, 0.005
    yield sample('GOOG'), 0.03, 0.06
    if shared is not None: yield _btc(shared), 0.01, 0.02

@pytest.mark.parametrize('with_btc', [False, True])
def test_stops_same_as_backtesting_py(with_btc, request):
    "Stop-loss and take-profit inside the bar (stop first when both are touched, gaps fill at the open) as backtesting.py does."
    shared = request.getfixturevalue('shared_data') if with_btc else None
    cases = list(_stop_cases(shared))[2:] if with_btc else list(_stop_cases(None))
    for bars, sl, tp in cases:
        for name in ('ma_cross', 'random'):
            sig = _strategies(bars, 2)[name]
            st = _bt(bars, sig, 0.001, sl=sl, tp=tp)
            res = run_backtest(bars, pd.Series(sig, index=bars.index), CostModel(10, 0), cash=CASH, stop_loss=sl, take_profit=tp)
            assert {'stop_loss', 'take_profit'} <= set(res.trades.exit_reason), name
            _compare(st, res, name)

def test_fill_at_close_same_as_trade_on_close():
    "`fill='close'` is backtesting.py's `trade_on_close=True` (its equity curve books the fill a bar later; the ends agree)."
    for bars in (sample('GOOG'), sample('EURUSD')):
        sig = _strategies(bars, 4)['ma_cross']
        st = _bt(bars, sig, 0.001, trade_on_close=True)
        res = run_backtest(bars, pd.Series(sig, index=bars.index), CostModel(10, 0), cash=CASH, fill='close')
        _compare(st, res, 'close', eq_curve=False)

def test_stats_match_backtesting_py():
    "On the same equity curve and (closed) trades, our stats equal backtesting.py's where the definitions agree."
    goog = sample('GOOG'); sig = _strategies(goog, 0)['ma_cross']
    st = _bt(goog, sig, 0.001)
    res = run_backtest(goog, pd.Series(sig, index=goog.index), CostModel(10, 0), cash=CASH)
    closed = res.trades[res.trades.exit_reason != 'open']
    ts = trade_stats(closed)
    for ours, theirs in [('win_rate', 'Win Rate [%]'), ('best_trade', 'Best Trade [%]'), ('worst_trade', 'Worst Trade [%]'),
                         ('avg_trade', 'Avg. Trade [%]'), ('expectancy', 'Expectancy [%]')]:
        assert ts[ours]*100 == pytest.approx(st[theirs], rel=1e-6, abs=1e-9), ours
    for ours, theirs in [('profit_factor', 'Profit Factor'), ('sqn', 'SQN'), ('kelly', 'Kelly Criterion')]:
        assert ts[ours] == pytest.approx(st[theirs], rel=1e-5), ours
    assert ts['n_trades'] == st['# Trades']
    assert ts['max_trade_duration'] == st['Max. Trade Duration']
    fm = full_metrics(res, 252)
    assert fm['total_return']*100 == pytest.approx(st['Return [%]'], rel=1e-6)
    assert fm['equity_peak'] == pytest.approx(st['Equity Peak [$]'], rel=1e-6)
    assert fm['max_drawdown']*100 == pytest.approx(st['Max. Drawdown [%]'], rel=1e-6)
    assert fm['avg_drawdown']*100 == pytest.approx(st['Avg. Drawdown [%]'], rel=1e-6)
    assert fm['max_drawdown_duration'] == st['Max. Drawdown Duration']
    # backtesting.py rounds the average duration up to whole days
    assert abs(fm['avg_drawdown_duration'] - st['Avg. Drawdown Duration']) <= pd.Timedelta(days=1)

def test_return_stats_match_empyrical():
    "Per-bar statistics annualised with our bars per year equal empyrical's given the same annualisation."
    ep = pytest.importorskip('empyrical')  # dev dependency: empyrical-reloaded
    eur = sample('EURUSD'); sig = _strategies(eur, 3)['momentum']
    res = run_backtest(eur, pd.Series(sig, index=eur.index)); r = res.returns; ann = 6240
    bench = run_backtest(eur, pd.Series(1.0, index=eur.index)).returns
    s = return_stats(r, ann, bench)
    assert s['sharpe'] == pytest.approx(ep.sharpe_ratio(r, annualization=ann), rel=1e-9)
    assert s['sortino'] == pytest.approx(ep.sortino_ratio(r, annualization=ann), rel=1e-9)
    assert s['return_ann'] == pytest.approx(ep.annual_return(r, annualization=ann), rel=1e-9)
    assert s['volatility_ann'] == pytest.approx(ep.annual_volatility(r, annualization=ann), rel=1e-9)
    assert s['max_drawdown'] == pytest.approx(ep.max_drawdown(r), rel=1e-9)
    assert s['calmar'] == pytest.approx(ep.calmar_ratio(r, annualization=ann), rel=1e-9)
    assert s['omega'] == pytest.approx(ep.omega_ratio(r, annualization=ann), rel=1e-9)
    assert s['tail_ratio'] == pytest.approx(ep.tail_ratio(r), rel=1e-9)
    assert s['var_95'] == pytest.approx(ep.value_at_risk(r), rel=1e-9)
    assert s['cvar_95'] == pytest.approx(ep.conditional_value_at_risk(r), rel=1e-9)
    assert s['stability'] == pytest.approx(ep.stability_of_timeseries(r), rel=1e-7)
    a, b = ep.alpha_beta(r, bench, annualization=ann)
    assert s['beta'] == pytest.approx(b, rel=1e-7) and s['alpha'] == pytest.approx(a, rel=1e-6)
    assert performance(res, ann)['sharpe'] == pytest.approx(s['sharpe'], rel=1e-12)

def test_sweep_equals_single_runs():
    goog = sample('GOOG'); c = goog.close
    P = pd.DataFrame({n: np.where(c > c.rolling(n, min_periods=1).mean(), 1., -1.) for n in (5, 10, 40)}, index=goog.index)
    cm = CostModel(10, 5, impact_k=0.3, slippage='volatility', slippage_vol_mult=0.1)
    sw = run_backtests(goog, P, cm, trailing_stop=0.05, cash=1e6)
    for n in P:
        one = run_backtest(goog, P[n], cm, trailing_stop=0.05, cash=1e6)
        assert sw.loc[n, 'total_return'] == pytest.approx(one.equity.iloc[-1] - 1, rel=1e-10)
        assert sw.loc[n, 'n_trades'] == len(one.trades)
        assert sw.loc[n, 'turnover'] == pytest.approx(one.bars_out.turnover.sum(), rel=1e-10)
        assert sw.loc[n, 'exposure'] == pytest.approx((one.bars_out.held != 0).mean(), rel=1e-12)
        assert sw.loc[n, 'max_drawdown'] == pytest.approx(one.drawdown.min(), rel=1e-10)

def test_costs_only_lower_equity_and_ledger_adds_up():
    eur = sample('EURUSD'); sig = pd.Series(_strategies(eur, 5)['random'], index=eur.index)
    free = run_backtest(eur, sig, CostModel(0, 0)); paid = run_backtest(eur, sig, CostModel(10, 5, half_spread_bps=1))
    assert paid.equity.iloc[-1] < free.equity.iloc[-1]
    # gross returns are the same positions with costs off, bar by bar (sizing targets the equity left after costs)
    np.testing.assert_allclose(paid.bars_out.gross, free.returns, atol=1e-12)
    assert np.prod(1 + paid.bars_out.gross) == pytest.approx(free.equity.iloc[-1], rel=1e-9)
    # every unit of pnl is in exactly one trade
    assert paid.trades.pnl.sum() == pytest.approx(paid.bars_out.value.iloc[-1] - paid.cash, rel=1e-9)
    assert paid.trades.fees.sum() == pytest.approx(paid.bars_out.fees.sum(), rel=1e-12)


from hypothesis import given, settings, strategies as hs

@settings(max_examples=25, deadline=None)
@given(seed=hs.integers(0, 10_000), fee=hs.floats(0, 50), slip=hs.floats(0, 20), sl=hs.sampled_from([0.0, 0.02]),
       tp=hs.sampled_from([0.0, 0.03]), fill=hs.sampled_from(['open', 'close']), rebalance=hs.sampled_from(['change', 'bar']))
def test_book_invariants(seed, fee, slip, sl, tp, fill, rebalance):
    "Whatever the positions and costs: the ledger's pnl adds up to the equity change, costs are never negative, and costs never help."
    eur = sample('EURUSD').iloc[:400]; rng = np.random.default_rng(seed)
    pos = pd.Series(rng.choice([-1., -0.5, 0., 0.5, 1.], len(eur)), index=eur.index)
    kw = dict(fill=fill, rebalance=rebalance, stop_loss=sl, take_profit=tp)
    paid = run_backtest(eur, pos, CostModel(fee, slip), **kw)
    assert paid.trades.pnl.sum() == pytest.approx(paid.bars_out.value.iloc[-1] - paid.cash, rel=1e-9, abs=1e-6)
    assert (paid.bars_out[['cost', 'fees', 'slippage', 'turnover']] >= 0).all().all()
    if rebalance == 'bar' and fill == 'open':  # otherwise positions drift between orders
        assert (paid.bars_out.held.abs() <= 1 + 1e-9).all()
    free = run_backtest(eur, pos, CostModel(0, 0), **kw)
    if sl == tp == 0: assert paid.equity.iloc[-1] <= free.equity.iloc[-1] + 1e-12
