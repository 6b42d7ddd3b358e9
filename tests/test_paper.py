"""The trading loop end to end: paper replay = backtest on real BTCUSDT bars, kill -9 and resume, secrets never written, no key in the repository.

A model is trained once per session with `tradebot.train` on the first 2,000 bars of the fixture (technical features, so it trains in seconds);
`tradebot paper` runs as a real subprocess where the test is about what a user's process does (killed, given secrets).
"""
import json, os, random, re, signal, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd, pytest
from tradebot.data import load_ohlcv, save_bars, checked_bars
from tradebot.train import train_model
from tradebot.models import load_model
from tradebot.positions import Threshold
from tradebot.risk import RiskLimits
from tradebot.agents import run_paper, backtest_reference
from tradebot.report import network_refs

TRADEBOT = Path(sys.executable).parent/'tradebot'
FIXTURE = Path(__file__).parent/'data'/'btcusdt_1h_2025.csv.gz'
RULE = Threshold(0.52, 0.48)

@pytest.fixture(scope='module')
def model_dir(tmp_path_factory, fixture_bars):
    d = tmp_path_factory.mktemp('paper_model')
    f = save_bars(fixture_bars.iloc[:2000], d/'train.csv.gz')
    train_model(str(f), 'lightgbm', out=d/'model', families=['tech'], oof_folds=0, horizon=12)
    return d/'model'

def _paper(*args, env=None, **kw):
    return subprocess.Popen([str(TRADEBOT), 'paper', *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, 'OMP_NUM_THREADS': '1', **(env or {})}, **kw)

def test_parity_real_btc(shared_data, model_dir, tmp_path):
    "Paper replay with the rule policy = run_backtest, trades and equity to 1e-9, on real Binance BTCUSDT 1h bars the model never saw (2024)."
    bars, _ = checked_bars(load_ohlcv(shared_data/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz'), tolerate=('gaps',))
    bars = bars.loc['2023-12-01':'2024-01-31']
    start = pd.Timestamp('2024-01-01', tz='UTC')
    res, s = run_paper(bars, model_dir, tmp_path/'run', limits=RiskLimits.permissive(), rule=RULE, start=start, progress=False)
    ref = backtest_reference(bars, load_model(model_dir), RULE, start=start)
    assert s['trades'] >= 10 and s['bars'] == len(bars.loc[start:])
    np.testing.assert_allclose(res.equity.to_numpy(), ref.equity.to_numpy(), rtol=0, atol=1e-9)
    pd.testing.assert_frame_equal(res.trades, ref.trades, rtol=1e-9)

def _kill_and_resume(model_dir, out, end, kills, seed):
    "Run `tradebot paper` into `out`, kill -9 it at random points `kills` times, resume each time, then let it finish."
    rng = random.Random(seed)
    bars = load_ohlcv(FIXTURE)
    args = ['--data', FIXTURE, '--model', model_dir, '--out', out, '--start', bars.index[2000], '--end', end, '--long', RULE.long, '--short', RULE.short, '--no-html', '-q']
    out.parent.mkdir(parents=True, exist_ok=True)
    lim = out.parent/'limits.yaml'; lim.write_text('daily_loss_halt: null\ndrawdown_halt: null\nkill_switch_file: null\n')
    args += ['--limits', lim]
    n_total = len(bars.loc[bars.index[2000]:end])
    killed_at = []
    for k in range(kills):
        p = _paper(*args, *(['--resume'] if k else []))
        log = out/'decisions.jsonl'
        want = rng.randint(5, max(6, n_total//(kills + 1)))
        have = len(log.read_text().splitlines()) if log.exists() else 0
        t0 = time.time()
        while p.poll() is None and time.time() - t0 < 60:
            n = len(log.read_text().splitlines()) if log.exists() else 0
            if n >= have + want: break
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.02))  # land anywhere inside a cycle
        assert p.poll() is None, f"the run ended before it was killed: {p.stderr.read()}"
        p.send_signal(signal.SIGKILL); p.wait()
        killed_at.append(len(log.read_text().splitlines()))
    p = _paper(*args, '--resume'); o, e = p.communicate(timeout=120)
    assert p.returncode == 0, e
    return killed_at, lim

def test_kill_and_resume(model_dir, tmp_path, fixture_bars):
    "Killed (SIGKILL) at a random point and resumed: the same decisions, orders, trades and equity as a run never interrupted."
    end = fixture_bars.index[2199]
    killed_at, lim = _kill_and_resume(model_dir, tmp_path/'a'/'run', end, kills=1, seed=1)
    assert 0 < killed_at[0] < 200, killed_at
    ref, _ = run_paper(fixture_bars.loc[:end], model_dir, tmp_path/'b'/'run', limits=lim, rule=RULE, start=fixture_bars.index[2000], progress=False)
    a, b = (tmp_path/'a'/'run'/'decisions.jsonl').read_text(), (tmp_path/'b'/'run'/'decisions.jsonl').read_text()
    assert a == b
    from tradebot.agents import StateStore
    oa, ob = (StateStore(tmp_path/x/'run'/'state.sqlite').orders() for x in 'ab')
    assert oa == ob and len(oa) == len({o['client_order_id'] for o in oa}) > 0

@pytest.mark.slow
def test_kill_and_resume_long(model_dir, tmp_path, fixture_bars):
    "Five kills over the whole fixture's out-of-sample part."
    end = fixture_bars.index[-1]
    _, lim = _kill_and_resume(model_dir, tmp_path/'a'/'run', end, kills=5, seed=7)
    run_paper(fixture_bars, model_dir, tmp_path/'b'/'run', limits=lim, rule=RULE, start=fixture_bars.index[2000], progress=False)
    assert (tmp_path/'a'/'run'/'decisions.jsonl').read_text() == (tmp_path/'b'/'run'/'decisions.jsonl').read_text()

FAKE = {'TRADEBOT_EXCHANGE_API_KEY': 'tbFAKEkey9d7c2e41aa0f', 'TRADEBOT_EXCHANGE_SECRET': 'tbFAKEsecret5b81f0c3e97d', 'TRADEBOT_LLM_API_KEY': 'tbFAKEllm60ac1d2e'}

def _secrets_run(model_dir, out, start, html:bool):
    p = _paper('--data', FIXTURE, '--model', model_dir, '--out', out, '--start', start, *([] if html else ['--no-html']), env=FAKE)
    o, e = p.communicate(timeout=300)
    assert p.returncode == 0, e
    files = [f for f in out.rglob('*') if f.is_file()]
    assert {'decisions.jsonl', 'state.sqlite', 'run.json', 'summary.json'} <= {f.name for f in files}
    for f in files:
        blob = f.read_bytes()
        for v in FAKE.values(): assert v.encode() not in blob, f"{v} written into {f}"
    for v in FAKE.values(): assert v not in o and v not in e
    return o

def test_secrets_never_written(model_dir, tmp_path, fixture_bars):
    "Fake keys planted in the environment: no file the paper run writes (state, log, run card), nor its output, holds them."
    _secrets_run(model_dir, tmp_path/'run', fixture_bars.index[2800], html=False)

@pytest.mark.slow
def test_secrets_and_timeline_html(model_dir, tmp_path, fixture_bars):
    "The same with the decision timeline rendered: decisions.html opens offline and holds no key either."
    out = tmp_path/'run'
    o = _secrets_run(model_dir, out, fixture_bars.index[2700], html=True)
    html = out/'decisions.html'
    assert html.is_file() and str(html) in o
    text = html.read_text()
    assert 'Decision timeline' in text and 'data:image/png;base64' in text and not network_refs(text)

SECRET_PATTERNS = [re.compile(p, re.I) for p in (
    r"""(api[_-]?key|secret|passw(or)?d|token)\s*[:=]\s*['"][A-Za-z0-9/+_\-]{12,}['"]""",
    r'-----BEGIN [A-Z ]*PRIVATE KEY-----', r'\bAKIA[0-9A-Z]{16}\b', r'\bsk-[A-Za-z0-9]{20,}\b', r'\bghp_[A-Za-z0-9]{30,}\b')]

PLANTED = re.compile(r'fake|very-secret|example|dummy|placeholder', re.I)  # values tests plant on purpose, named as such

def test_no_key_in_repository():
    "No password, API key or private key anywhere in the tracked tree (the fakes above are built to not look like keys)."
    root = Path(__file__).parent.parent
    files = subprocess.run(['git', 'ls-files'], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    hits = []
    for f in files:
        p = root/f
        if not p.is_file() or p.stat().st_size > 2_000_000 or p.suffix in ('.gz', '.parquet', '.png', '.zip'): continue
        t = p.read_text(errors='ignore')
        hits += [f"{f}: {m.group(0)[:40]}" for pat in SECRET_PATTERNS for m in pat.finditer(t) if not PLANTED.search(m.group(0))]
    assert not hits, hits

@pytest.mark.slow
def test_sigusr1_flattens_a_running_paper_run(model_dir, tmp_path, fixture_bars):
    "`kill -USR1` on a running `tradebot paper`: from the next decision on, every target is flat, with the reason recorded."
    out = tmp_path/'run'
    p = _paper('--data', FIXTURE, '--model', model_dir, '--out', out, '--start', fixture_bars.index[2000], '--no-html', '-q')
    log = out/'decisions.jsonl'
    t0 = time.time()
    while time.time() - t0 < 120 and (not log.exists() or len(log.read_text().splitlines()) < 50): time.sleep(0.01)
    p.send_signal(signal.SIGUSR1)
    o, e = p.communicate(timeout=300)
    assert p.returncode == 0, e
    lines = [json.loads(l) for l in log.read_text().splitlines()]
    k = next(i for i, l in enumerate(lines) if 'signal SIGUSR1 received' in l['risk']['checks'][1]['reason'])
    assert k >= 50 and all(l['target'] == 0.0 for l in lines[k:])

def test_paper_cli_pays_funding_and_refuses_it_live(model_dir, tmp_path, fixture_bars):
    "`tradebot paper --funding FILE` trades the perpetual: the same net return as run_backtest with that funding; with --live it is refused in one line."
    from typer.testing import CliRunner
    from tradebot.cli import app
    from tradebot.backtest import CostModel
    from tradebot.data import load_funding
    fr = FIXTURE.parent/'funding_btcusdt_2025.csv'
    start, end = fixture_bars.index[2000], fixture_bars.index[2299]
    lim = tmp_path/'limits.yaml'; lim.write_text('daily_loss_halt: null\ndrawdown_halt: null\nkill_switch_file: null\nmax_consecutive_losses: null\n')
    r = CliRunner().invoke(app, ['paper', '--data', str(FIXTURE), '--model', str(model_dir), '--out', str(tmp_path/'run'), '--start', str(start),
                                 '--end', str(end), '--long', '0.52', '--short', '0.48', '--fee-bps', '5', '--slippage-bps', '2',
                                 '--funding', str(fr), '--limits', str(lim), '--no-html', '-q'])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path/'run'/'summary.json').read_text())
    ref = backtest_reference(fixture_bars.loc[:end], load_model(model_dir), RULE, CostModel(fee_bps=5, slippage_bps=2), start=start,
                             funding=load_funding(fr)['funding_rate'])
    assert s['trades'] >= 3 and abs(s['total_return'] - (ref.equity.iloc[-1] - 1)) < 1e-9 and ref.bars_out.funding.abs().sum() > 0
    assert json.loads((tmp_path/'run'/'run.json').read_text())['funding'] == str(fr)
    r = CliRunner().invoke(app, ['paper', '--live', '--model', str(model_dir), '--out', str(tmp_path/'live'), '--funding', str(fr)])
    assert r.exit_code != 0 and '--funding and --borrow-bps are for paper replays' in r.output and 'Traceback' not in r.output
