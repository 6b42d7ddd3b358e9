"""`tradebot.metrics` checked by value: every field of `performance`, `return_stats` and `trade_stats` against closed
forms on hand-made series or against empyrical; PSR/DSR against the published formulas and a worked example; PBO
against a slow, literal implementation of combinatorially symmetric cross-validation; every error path."""
import itertools, math
import numpy as np, pandas as pd, pytest
from scipy import stats
from tradebot.backtest import BacktestResult, CostModel, run_backtest
from tradebot.metrics import (performance, return_stats, trade_stats, drawdown_episodes, probabilistic_sharpe,
                              expected_max_sharpe, deflated_sharpe, pbo, ic, ic_decay, hit_rate, calibration,
                              full_metrics, cost_sensitivity, forward_log_return, METRIC_KEYS)

R = np.array([0.02, -0.01, 0.03, 0.0, -0.04, 0.01, 0.025, -0.005])
IX = pd.date_range('2024-01-01', periods=len(R), freq='D', tz='UTC')

def _result(r=R, held=None, turnover=None, trade_ret=(0.1, 0.0, -0.05)):
    "A BacktestResult built by hand: only what `performance` reads."
    n = len(r); eq = np.cumprod(1 + np.asarray(r))
    held = np.array([0, 1, -1, 0, 0.5, 0, 1, 1][:n] if held is None else held, float)
    turnover = np.linspace(0.1, 0.8, n) if turnover is None else turnover
    bo = pd.DataFrame(dict(net=r, equity=eq, value=eq*1e4, held=held, turnover=turnover), index=IX[:n])
    tr = pd.DataFrame(dict(ret=np.asarray(trade_ret, float)))
    return BacktestResult(bo, tr, CostModel())

def test_performance_every_field_by_value():
    ppy = 4.0                                           # 8 bars = 2 years: CAGR is the square root of the total
    m = performance(_result(), ppy)
    assert set(m) == set(METRIC_KEYS)
    tot = np.prod(1 + R) - 1
    assert m['total_return'] == pytest.approx(tot, rel=1e-12)
    assert m['cagr'] == pytest.approx(math.sqrt(1 + tot) - 1, rel=1e-12)
    assert m['sharpe'] == pytest.approx(R.mean()/R.std(ddof=1)*2, rel=1e-12)
    down = math.sqrt(np.sum(R[R < 0]**2)/len(R))        # downside deviation: losses only, over every bar
    assert m['sortino'] == pytest.approx(R.mean()/down*2, rel=1e-12)
    eq = np.r_[1, np.cumprod(1 + R)]
    assert m['max_drawdown'] == pytest.approx(eq[5]/eq[3] - 1, rel=1e-12)   # peak after bar 2, trough after bar 4
    assert m['win_rate'] == pytest.approx(1/3)          # a flat trade is not a win
    assert m['n_trades'] == 3 and isinstance(m['n_trades'], int)
    assert m['exposure'] == pytest.approx(5/8)          # shorts count as exposure
    assert m['turnover'] == pytest.approx(np.linspace(0.1, 0.8, 8).sum()/2, rel=1e-12)   # per year
    ep = pytest.importorskip('empyrical')
    assert m['sortino'] == pytest.approx(ep.sortino_ratio(R, annualization=ppy), rel=1e-12)
    assert m['cagr'] == pytest.approx(ep.annual_return(R, annualization=ppy), rel=1e-12)
    s = return_stats(R, ppy)
    for k in ('sharpe', 'sortino', 'max_drawdown'): assert m[k] == pytest.approx(s[k], rel=1e-12), k
    assert m['cagr'] == pytest.approx(s['return_ann'], rel=1e-12)

def test_performance_undefined_values_and_ruin():
    m = performance(_result(np.array([0.01, 0.01, 0.01, 0.01]), trade_ret=[]), 252)
    assert m['sharpe'] is None and m['sortino'] is None and m['win_rate'] is None   # no spread, no loss, no trade
    assert m['max_drawdown'] == 0.0 and m['n_trades'] == 0
    gone = performance(_result(np.array([0.5, -1.0, 0.0, 0.0])), 252)
    assert gone['total_return'] == -1.0 and gone['cagr'] == -1.0
    with pytest.raises(ValueError, match='need at least 2 bars to measure performance, got 1'): performance(_result(R[:1]), 252)

def test_return_stats_every_field_by_value():
    n, ann = len(R), 12.0
    s = return_stats(R, ann)
    m, sd = R.mean(), R.std(ddof=1)
    eq = np.r_[1, np.cumprod(1 + R)]; mdd = (eq/np.maximum.accumulate(eq) - 1).min()
    cagr = eq[-1]**(ann/n) - 1
    assert s['return_ann'] == pytest.approx(cagr, rel=1e-12)
    assert s['volatility_ann'] == pytest.approx(sd*math.sqrt(ann), rel=1e-12)
    assert s['sharpe'] == pytest.approx(m/sd*math.sqrt(ann), rel=1e-12)
    assert s['sortino'] == pytest.approx(m*math.sqrt(ann)/math.sqrt(np.mean(np.minimum(R, 0)**2)), rel=1e-12)
    assert s['calmar'] == pytest.approx(cagr/-mdd, rel=1e-12) and s['max_drawdown'] == pytest.approx(mdd, rel=1e-12)
    assert s['omega'] == pytest.approx(R[R > 0].sum()/-R[R < 0].sum(), rel=1e-12)
    q5, q95 = np.percentile(R, [5, 95])
    assert s['tail_ratio'] == pytest.approx(abs(q95/q5), rel=1e-12) and s['var_95'] == pytest.approx(q5, rel=1e-12)
    assert s['cvar_95'] == pytest.approx(-0.04)         # int(7*0.05) = 0: the single worst return
    lr = np.log1p(R).cumsum()
    assert s['stability'] == pytest.approx(stats.linregress(np.arange(n), lr).rvalue**2, rel=1e-10)
    # moments standardised by the sample (ddof=1) deviation; kurtosis is raw (3 for a normal), not excess
    assert s['skew'] == pytest.approx(stats.skew(R)*((n - 1)/n)**1.5, rel=1e-10)
    assert s['kurtosis'] == pytest.approx(stats.kurtosis(R, fisher=False)*((n - 1)/n)**2, rel=1e-10)
    assert s['skew'] < 0                                 # the -4% day makes the left tail longer
    ep = pytest.importorskip('empyrical')
    for k, f in [('sharpe', ep.sharpe_ratio), ('sortino', ep.sortino_ratio), ('return_ann', ep.annual_return),
                 ('volatility_ann', ep.annual_volatility), ('calmar', ep.calmar_ratio), ('omega', ep.omega_ratio)]:
        assert s[k] == pytest.approx(f(R, annualization=ann), rel=1e-10), k
    assert s['cvar_95'] == pytest.approx(ep.conditional_value_at_risk(R), rel=1e-12)
    assert s['stability'] == pytest.approx(ep.stability_of_timeseries(R), rel=1e-10)
    long_r = np.random.default_rng(0).standard_t(5, 400)*0.01   # 400 returns: cvar averages int(399*0.05)+1 = 20
    assert return_stats(long_r, ann)['cvar_95'] == pytest.approx(np.sort(long_r)[:20].mean(), rel=1e-12)

def test_return_stats_alpha_beta_and_edges():
    rng = np.random.default_rng(1); b = rng.normal(0, 0.01, 50); r = 0.001 + 1.5*b + rng.normal(0, 0.002, 50)
    s = return_stats(r, 252, b)
    beta = np.cov(r, b)[0, 1]/np.var(b, ddof=1)
    assert s['beta'] == pytest.approx(beta, rel=1e-12) and s['beta'] == pytest.approx(1.5, abs=0.1)
    assert s['alpha'] == pytest.approx((1 + np.mean(r - beta*b))**252 - 1, rel=1e-12)
    assert math.isnan(return_stats(r, 252, np.zeros(50))['beta'])
    up = return_stats(np.array([0.01, 0.02, 0.01]), 252)
    assert math.isnan(up['sortino']) and math.isnan(up['calmar']) and math.isnan(up['omega'])
    assert up['max_drawdown'] == 0.0
    flat = return_stats(np.zeros(5), 252)
    assert math.isnan(flat['sharpe']) and math.isnan(flat['stability']) and math.isnan(flat['tail_ratio'])
    assert flat['skew'] == 0.0 and flat['kurtosis'] == 0.0
    assert return_stats(np.array([0.1, -1.0, 0.2]), 252)['return_ann'] == -1.0
    lose = return_stats(-R, 12.0)                        # a net loss: CAGR below zero, not -100%
    assert lose['return_ann'] == pytest.approx(np.prod(1 - R)**(12/len(R)) - 1, rel=1e-12) and -0.5 < lose['return_ann'] < 0
    with pytest.raises(ValueError, match='need at least 2 returns, got 1'): return_stats(np.array([0.1]), 252)

def test_trade_stats_every_field_by_value():
    t0 = pd.Timestamp('2024-01-01', tz='UTC')
    tr = pd.DataFrame(dict(pnl=[20.0, -10.0, 0.0, 30.0, -5.0], size=[1.0, 2.0, 1.0, 3.0, 0.5],
                           entry_price=[100.0, 50.0, 80.0, 100.0, 100.0],
                           duration=pd.to_timedelta([1, 5, 2, 3, 9], unit='h')))
    r = np.array([0.2, -0.1, 0.0, 0.1, -0.1]); pl = tr.pnl.to_numpy()
    s = trade_stats(tr)
    assert s['n_trades'] == 5 and s['win_rate'] == pytest.approx(0.4)    # the flat trade is not a win
    assert s['best_trade'] == pytest.approx(0.2) and s['worst_trade'] == pytest.approx(-0.1)
    assert s['avg_trade'] == pytest.approx(np.prod(1 + r)**(1/5) - 1, rel=1e-12)
    assert s['max_trade_duration'] == pd.Timedelta(hours=9) and s['avg_trade_duration'] == pd.Timedelta(hours=4)
    assert s['profit_factor'] == pytest.approx(0.3/0.2, rel=1e-12)
    assert s['expectancy'] == pytest.approx(r.mean(), rel=1e-12)
    assert s['sqn'] == pytest.approx(math.sqrt(5)*pl.mean()/pl.std(ddof=1), rel=1e-12)
    assert s['kelly'] == pytest.approx(0.4 - 0.6/(25/7.5), rel=1e-12)
    one = trade_stats(tr.iloc[:1])
    assert math.isnan(one['sqn']) and math.isnan(one['profit_factor']) and math.isnan(one['kelly'])
    assert trade_stats(tr.assign(pnl=[-100.0, -10, 0, 30, -5]))['avg_trade'] == 0.0   # a trade that lost everything
    empty = trade_stats(tr.iloc[:0])
    assert empty['n_trades'] == 0 and empty['max_trade_duration'] is pd.NaT
    assert all(math.isnan(empty[k]) for k in ('win_rate', 'best_trade', 'worst_trade', 'avg_trade', 'profit_factor', 'expectancy', 'sqn', 'kelly'))

def test_drawdown_episodes_edges():
    ix = pd.date_range('2024-01-01', periods=6, freq='D')
    ep = drawdown_episodes(pd.Series([1.0, 1.2, 1.0, 0.9, 1.1, 1.05], index=ix))   # the second one never recovers
    assert ep.start.tolist() == [ix[1]] and ep.end.tolist() == [ix[5]] and len(ep) == 1
    assert ep.depth.iloc[0] == pytest.approx(0.9/1.2 - 1) and ep.duration.iloc[0] == pd.Timedelta(days=4)
    ep = drawdown_episodes(pd.Series([1.0, 0.9, 1.0, 0.8, 0.7, 1.5], index=ix))
    assert ep.end.tolist() == [ix[2], ix[5]] and ep.depth.tolist() == pytest.approx([-0.1, -0.3])
    assert len(drawdown_episodes(pd.Series([1.0, 1.1, 1.2, 1.3, 1.4, 1.5], index=ix))) == 0
    ep = drawdown_episodes(pd.Series([1.0, 1.1, 1.2, 1.3, 1.4, 1.35], index=ix))   # a one-bar dip at the end
    assert ep.start.tolist() == [ix[4]] and ep.end.tolist() == [ix[5]]

# ---------------------------------------------------------------- PSR, DSR, PBO

def psr_reference(r, sr0=0.0):
    "Bailey and López de Prado (2012), eq. 11: gamma_3 the skewness, gamma_4 the (non-excess) kurtosis of the returns."
    r = np.asarray(r, float); n = len(r); sr = r.mean()/r.std(ddof=1)
    g3, g4 = stats.skew(r), stats.kurtosis(r, fisher=False)
    return stats.norm.cdf((sr - sr0)*math.sqrt(n - 1)/math.sqrt(1 - g3*sr + (g4 - 1)/4*sr**2))

def emax_reference(N, var):
    "Expected maximum of N Sharpe ratios of skill-less strategies (Bailey and López de Prado 2014, eq. 2)."
    g = 0.5772156649015329
    return math.sqrt(var)*((1 - g)*stats.norm.ppf(1 - 1/N) + g*stats.norm.ppf(1 - 1/(N*math.e)))

def test_psr_equals_the_published_formula():
    rng = np.random.default_rng(3)
    for r in (rng.standard_t(4, 60)*0.01 + 0.002, -np.abs(rng.normal(0, 0.01, 30)) + 0.004, rng.lognormal(0, 0.5, 25)*0.01 - 0.012):
        for sr0 in (0.0, 0.05, -0.1):
            assert probabilistic_sharpe(r, sr0) == pytest.approx(psr_reference(r, sr0), rel=1e-10)
    assert math.isnan(probabilistic_sharpe([0.01, 0.02])) and math.isnan(probabilistic_sharpe(np.full(10, 0.01)))
    assert not math.isnan(probabilistic_sharpe([0.01, 0.02, -0.01]))

def test_dsr_worked_example_and_formula():
    # Bailey & López de Prado (2014), "The Deflated Sharpe Ratio", section 6: 100 trials whose annualised Sharpe
    # ratios have variance 1/2, on 1250 daily returns: the expected maximum is 0.1132 per day (1.7896 a year).
    e = expected_max_sharpe(100, 0.5/250)
    assert e == pytest.approx(0.1132, abs=5e-5) and e*math.sqrt(250) == pytest.approx(1.7896, abs=5e-4)
    for N, v in [(2, 0.01), (7, 0.3), (1000, 1e-4)]: assert expected_max_sharpe(N, v) == pytest.approx(emax_reference(N, v), rel=1e-10)
    assert expected_max_sharpe(1, 0.5) == 0.0
    with pytest.raises(ValueError, match='n_trials must be >= 1, got 0'): expected_max_sharpe(0, 1.0)
    r = np.random.default_rng(4).normal(0.002, 0.01, 80); srs = np.random.default_rng(5).normal(0, 0.08, 30)
    assert deflated_sharpe(r, 30, srs) == pytest.approx(psr_reference(r, emax_reference(30, np.var(srs, ddof=1))), rel=1e-10)
    assert deflated_sharpe(r, 30) == pytest.approx(psr_reference(r, emax_reference(30, 1/79)), rel=1e-10)   # default variance 1/(T-1)
    assert deflated_sharpe(r, 30, srs[:1]) == pytest.approx(deflated_sharpe(r, 30), rel=1e-12)
    assert deflated_sharpe(r, 1) == pytest.approx(psr_reference(r), rel=1e-10)

def pbo_reference(M, S):
    "CSCV (Bailey, Borwein, López de Prado, Zhu 2017), literally: every half of the S blocks in sample, the rest out."
    T, N = M.shape; blocks = np.array_split(np.arange(T), S) if T % S == 0 else None
    edges = np.linspace(0, T, S + 1).astype(int); blocks = [np.arange(a, b) for a, b in zip(edges[:-1], edges[1:])]
    sharpe = lambda X: X.mean(0)/X.std(0, ddof=1)
    logits, xs, ys = [], [], []
    for c in itertools.combinations(range(S), S//2):
        J = np.concatenate([blocks[i] for i in c]); Jc = np.concatenate([blocks[i] for i in range(S) if i not in c])
        ins, oos = sharpe(M[J]), sharpe(M[Jc])
        n_star = int(np.argmax(ins))
        rank = 1 + sum(oos[j] < oos[n_star] for j in range(N))     # 1 = worst out of sample, N = best
        w = rank/(N + 1); logits.append(math.log(w/(1 - w))); xs.append(ins[n_star]); ys.append(oos[n_star])
    logits = np.array(logits)
    return (logits <= 0).mean(), logits, stats.linregress(xs, ys).slope

def test_pbo_equals_a_literal_cscv():
    rng = np.random.default_rng(6)
    for T, N, S in [(48, 5, 6), (50, 3, 4), (40, 8, 8)]:
        M = rng.normal(0, 0.01, (T, N)) + np.linspace(-0.002, 0.002, N)*rng.normal(1, 1, (T, 1))
        p, lg, slope = pbo_reference(M, S)
        got = pbo(M, S)
        assert got.n_splits == math.comb(S, S//2) == len(got.logits)
        np.testing.assert_allclose(got.logits, lg, rtol=1e-9)
        assert got.pbo == pytest.approx(p) and got.degradation == pytest.approx(slope, rel=1e-8)
    assert 0 < pbo_reference(rng.normal(0, 0.01, (48, 5)), 6)[0] < 1   # the reference is not trivially 0 or 1

def test_pbo_worked_example_and_errors():
    # two variants, one always better in every block: it wins in sample and ranks first (w = 2/3) out of sample
    t = np.linspace(0, 1, 40); M = np.c_[0.01 + 0.001*np.sin(7*t), 0.005 + 0.001*np.cos(5*t)]
    res = pbo(M, 4)
    np.testing.assert_allclose(res.logits, math.log(2)); assert res.pbo == 0.0 and res.n_splits == 6
    with pytest.raises(ValueError, match=r'>= 2 variants, got shape \(40, 1\)'): pbo(M[:, :1])
    with pytest.raises(ValueError, match=r'>= 2 variants, got shape \(40,\)'): pbo(M[:, 0])
    with pytest.raises(ValueError, match='n_blocks must be even, got 5'): pbo(M, 5)
    with pytest.raises(ValueError, match='n_blocks must be even, got 0'): pbo(M, 0)
    with pytest.raises(ValueError, match='returns contain NaN'): pbo(np.where(t[:, None] > 0.5, np.nan, M), 4)

# ---------------------------------------------------------------- signal quality

def test_ic_hit_rate_calibration_by_value():
    ix = pd.date_range('2024-01-01', periods=6, freq='h')
    sig = pd.Series([1.0, -2.0, 0.0, 3.0, np.nan, 0.5], index=ix); fwd = pd.Series([0.01, -0.01, 0.02, -0.03, 0.01, 0.0], index=ix)
    d = pd.concat([sig, fwd], axis=1).dropna()
    assert ic(sig, fwd) == pytest.approx(np.corrcoef(d.iloc[:, 0], d.iloc[:, 1])[0, 1], rel=1e-12)
    assert ic(sig, fwd, rank=True) == pytest.approx(stats.spearmanr(d.iloc[:, 0], d.iloc[:, 1])[0], rel=1e-12)
    assert math.isnan(ic(sig.iloc[:3].where(sig.iloc[:3] > 0), fwd.iloc[:3]))      # fewer than 3 pairs
    assert hit_rate(sig, fwd) == pytest.approx(2/3)     # zeros on either side and NaN do not count: 3 bars, 2 agree
    assert math.isnan(hit_rate(sig*0, fwd))
    close = pd.Series(np.exp(np.cumsum([0.0, 0.01, -0.02, 0.03, 0.01, -0.01])), index=ix)
    assert forward_log_return(close, 2).iloc[0] == pytest.approx(-0.01) and forward_log_return(close, 2).iloc[-2:].isna().all()
    dec = ic_decay(sig, close, (1, 2))
    assert dec.n.tolist() == [4, 4] and ic_decay(sig, close, (3,)).n.tolist() == [3] and dec.ic.iloc[1] == pytest.approx(ic(sig, forward_log_return(close, 2)), rel=1e-12)
    assert dec.rank_ic.iloc[0] == pytest.approx(ic(sig, forward_log_return(close, 1), rank=True), rel=1e-12)
    p = pd.Series([0.05, 0.15, 0.15, 0.95, 1.0, np.nan], index=ix); y = pd.Series([0.0, 1, 0, 1, 1, 1], index=ix)
    tab, cal = calibration(p, y)
    assert tab.index.tolist() == [0, 1, 9] and tab.n.tolist() == [1, 2, 2]           # p = 1.0 falls in the top bin
    assert tab.p_mean.tolist() == pytest.approx([0.05, 0.15, 0.975]) and tab.freq.tolist() == pytest.approx([0, 0.5, 1])
    assert cal['brier'] == pytest.approx((0.05**2 + 0.85**2 + 0.15**2 + 0.05**2 + 0)/5, rel=1e-12)
    assert cal['ece'] == pytest.approx((0.05 + 2*0.35 + 2*0.025)/5, rel=1e-12)
    with pytest.raises(ValueError, match='no bar has both a probability and an outcome'): calibration(p*np.nan, y)

# ---------------------------------------------------------------- full metrics and cost sensitivity

def _toy(n=6):
    idx = pd.date_range('2024-01-01', periods=n, freq='h', tz='UTC', name='ts')
    px = 100*np.cumprod(np.r_[1.0, 1.02, 0.97, 1.03, 0.99, 1.04][:n])
    return pd.DataFrame(dict(open=px, high=px, low=px, close=px, volume=1.0), index=idx)

def test_full_metrics_fields_not_in_performance():
    bars = _toy(); pos = pd.Series([1.0, 1, -1, -1, 1, 0], index=bars.index)
    res = run_backtest(bars, pos, CostModel(10, 5))
    bench = pd.Series(np.linspace(-0.01, 0.01, 6), index=bars.index)
    fm = full_metrics(res, 100, n_trials=3, trial_sharpes=np.array([0.1, -0.2, 0.3]), benchmark=bench.iloc[1:])
    r = res.returns.to_numpy(); b = res.bars_out
    assert fm['periods_per_year'] == 100 and fm['duration'] == pd.Timedelta(hours=5)
    assert fm['equity_final'] == pytest.approx(b.value.iloc[-1]) and fm['equity_peak'] == pytest.approx(b.value.max())
    assert fm['psr'] == pytest.approx(psr_reference(r), rel=1e-10)
    assert fm['deflated_sharpe'] == pytest.approx(psr_reference(r, emax_reference(3, np.var([0.1, -0.2, 0.3], ddof=1))), rel=1e-10)
    assert fm['n_trials'] == 3 and fm['cost_paid'] == pytest.approx(b.cost.sum()) and fm['cost_paid'] > 0
    assert fm['fees'] == pytest.approx(res.trades.fees.sum()) and fm['slippage'] == pytest.approx(res.trades.slippage.sum())
    assert fm['beta'] == pytest.approx(return_stats(r, 100, np.r_[0.0, bench.to_numpy()[1:]])['beta'])   # a missing benchmark bar counts as 0
    assert fm['kurtosis'] == pytest.approx(return_stats(r, 100)['kurtosis'])
    eq = np.r_[1.0, res.equity.to_numpy()]             # drawdowns count from the starting capital
    dd = drawdown_episodes(pd.Series(eq, index=pd.date_range(b.index[0] - pd.Timedelta(hours=1), periods=7, freq='h')))
    assert fm['avg_drawdown'] == pytest.approx(dd.depth.mean()) and fm['max_drawdown_duration'] == dd.duration.max()
    assert fm['profit_factor'] == trade_stats(res.trades)['profit_factor'] or math.isnan(fm['profit_factor'])
    up = full_metrics(run_backtest(_toy(3), pd.Series(0.0, index=_toy(3).index)), 100)
    assert up['avg_drawdown'] == 0.0 and up['max_drawdown_duration'] == pd.Timedelta(0)

def test_cost_sensitivity_break_even_by_value():
    idx = pd.date_range('2024-01-01', periods=4, freq='h', tz='UTC')
    toy = pd.DataFrame(dict(open=[100., 100, 110, 121], high=[100., 110, 121, 130], low=[100., 100, 110, 120],
                            close=[100., 110, 121, 125], volume=1.), index=idx)
    pos = pd.Series([1., 1, 0, 0], index=idx)           # buy at 100, sell at 121: (1-c)/(1+c) = 100/121
    cs = cost_sensitivity(toy, pos, costs_bps=[0, 100], periods_per_year=8760)
    assert cs.break_even_bps == pytest.approx(21/221*1e4, rel=1e-6)
    assert cs.table.index.tolist() == [0.0, 100.0] and cs.table.total_return.iloc[0] == pytest.approx(0.21)
    assert cs.table.total_return.iloc[1] == pytest.approx(1.21*0.99/1.01 - 1)
    assert cs.table.cagr.iloc[0] == pytest.approx(1.21**(8760/4) - 1, rel=1e-9)
    assert math.isinf(cost_sensitivity(toy, pos, costs_bps=[0], periods_per_year=8760, max_bps=500).break_even_bps)
    assert cost_sensitivity(toy, -pos, costs_bps=[0], periods_per_year=8760).break_even_bps == 0.0
