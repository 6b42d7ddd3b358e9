"""`tradebot paper --policy llm` end to end on real fixture bars: recorded live against the local stand-in server, replayed
byte for byte with `replay-strict` and no network, a missing record named by its key, and a hard budget that stops the run
cleanly and resumes."""
import json, socket
import pytest
from typer.testing import CliRunner
from tradebot.cli import app
from tradebot.data import save_bars
from tradebot.llm.server import ChatServer
from tradebot.train import train_model

runner = CliRunner()
STANDIN = 'tradebot-standin-v1'

@pytest.fixture(scope='module')
def setup(fixture_bars, tmp_path_factory):
    "The model is trained on the fixture's first 2,000 bars; the paper runs trade 120 later bars (earlier ones warm the features up)."
    d = tmp_path_factory.mktemp('paper_llm')
    f = save_bars(fixture_bars.iloc[:2420], d/'bars.csv.gz')
    train_model(str(save_bars(fixture_bars.iloc[:2000], d/'train.csv.gz')), 'logistic', out=d/'m', families=['tech'], oof_folds=0, horizon=12)
    return d, f, str(fixture_bars.index[2300])

def paper(d, f, start, out, *extra):
    return runner.invoke(app, ['paper', '--data', str(f), '--model', str(d/'m'), '--out', str(out), '--start', start, '--no-html', '-q',
                               '--policy', 'llm', '--llm-model', STANDIN, *extra])

def bars_of(run):
    return [json.loads(l) for l in (run/'decisions.jsonl').read_text().splitlines() if json.loads(l)['kind'] == 'bar']

def test_record_then_replay_strict_byte_identical(setup, monkeypatch):
    d, f, start = setup
    with ChatServer() as srv:
        r = paper(d, f, start, d/'rec'/'run', '--llm-base-url', srv.base_url, '--llm-mode', 'record')
        assert r.exit_code == 0, r.output
        n_calls = len(srv.requests)
    rec = d/'rec'/'run'/'llm_record.jsonl'
    b = bars_of(d/'rec'/'run')
    assert len(b) == 120 and n_calls == len(b) and {x['policy']['status'] for x in b} == {'ok'}
    assert len({x['policy']['intent']['action'] for x in b}) > 1          # the stand-in does not answer the same thing every bar
    # the server is gone; any socket use fails. Same run-folder name, so the loop's order ids match: bytes are compared whole.
    def refuse(*a, **k): raise AssertionError('network used during a replay')
    monkeypatch.setattr(socket.socket, 'connect', refuse)
    r = paper(d, f, start, d/'rep'/'run', '--llm-base-url', 'http://127.0.0.1:9/v1', '--llm-mode', 'replay-strict', '--llm-record', str(rec))
    assert r.exit_code == 0, r.output
    assert (d/'rep'/'run'/'decisions.jsonl').read_bytes() == (d/'rec'/'run'/'decisions.jsonl').read_bytes()
    assert not (d/'rep'/'run'/'llm_record.jsonl').exists()               # a replay writes no record
    # a run that starts one bar later has other positions in its context, so no key matches the recording:
    # replay-strict stops with one line naming the missing key (exit 2) ...
    later, local = str(pd_next(start, 1)), ['--llm-base-url', 'http://127.0.0.1:9/v1', '--llm-record', str(rec)]
    r = paper(d, f, later, d/'miss'/'run', '--llm-mode', 'replay-strict', *local)
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1, r.output
    assert 'no recorded LLM answer for key ' in r.stderr and '(role=decision, provider=local, model=tradebot-standin-v1' in r.stderr, r.stderr
    # ... and replay-or-abstain abstains there, explicitly, with the key in the decision record (the key holds the provider,
    # so a replay names the same kind of endpoint as the recording: here a local one)
    r = paper(d, f, later, d/'abst'/'run', '--llm-mode', 'replay-or-abstain', *local)
    assert r.exit_code == 0, r.output
    pol = [x['policy'] for x in bars_of(d/'abst'/'run')]
    assert len(pol) == 119 and {p['status'] for p in pol} == {'abstain', 'safe_mode'}   # 3 misses in a row: safe mode (flat)
    assert all('no record for key' in p['reason'] for p in pol)

def pd_next(start, n):
    import pandas as pd
    return pd.Timestamp(start) + pd.Timedelta(hours=n)

def test_budget_stops_cleanly_and_resumes(setup, monkeypatch):
    "A priced model (the local server is free, so the test prices it) with a budget of a few calls stops between bars with exit 3, the reason in summary.json; --resume without the budget finishes the same decisions as an uninterrupted run."
    import tradebot.llm.record as rec_mod
    d, f, start = setup
    end = str(pd_next(start, 39))
    with ChatServer() as srv:
        r = paper(d, f, start, d/'full'/'run', '--llm-base-url', srv.base_url, '--end', end)
        assert r.exit_code == 0, r.output
        monkeypatch.setattr(rec_mod, 'price_for', lambda *a, **k: rec_mod.Price(1000.0, 1000.0))  # $1,000 per million tokens
        r = paper(d, f, start, d/'bud'/'run', '--llm-base-url', srv.base_url, '--end', end, '--llm-budget-usd', '3')
        assert r.exit_code == 3 and len(r.stderr.strip().splitlines()) == 1, r.output
        assert 'LLM budget reached' in r.stderr and 'continue with --resume' in r.stderr, r.stderr
        s = json.loads((d/'bud'/'run'/'summary.json').read_text())
        assert s['stopped'] == 'llm_budget' and 'LLM budget reached' in s['reason'] and 0 < s['bars'] < 40 and s['resumable'], s
        assert len(bars_of(d/'bud'/'run')) == s['bars']
        r = paper(d, f, start, d/'bud'/'run', '--llm-base-url', srv.base_url, '--end', end, '--resume')
        assert r.exit_code == 0, r.output
    key = lambda x: (x['time'], x['policy']['status'], x['policy']['intent'], x['target'] if 'target' in x else None, x['order'])
    full, bud = bars_of(d/'full'/'run'), bars_of(d/'bud'/'run')
    assert len(full) == len(bud) == 40 and [key(x) for x in full] == [key(x) for x in bud]

def test_llm_options_checked_before_the_run(setup):
    d, f, start = setup
    r = paper(d, f, start, d/'bad'/'run', '--llm-mode', 'replay-strict', '--llm-record', str(d/'nope.jsonl'))
    assert r.exit_code == 2 and 'no LLM record at' in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.output
    r = paper(d, f, start, d/'bad'/'run', '--llm-mode', 'dream')
    assert r.exit_code == 2 and "--llm-mode 'dream': use one of live, record" in r.stderr, r.output
    r = paper(d, f, start, d/'bad'/'run', '--llm-base-url', 'https://api.example.com/v1')
    assert r.exit_code == 2 and 'no API key for https://api.example.com/v1' in r.stderr, r.output
    assert not (d/'bad').exists()

def test_shipped_demo_replays_offline(tmp_path, monkeypatch):
    "data/examples/llm_demo replays on a fresh clone: replay-strict, no key, no socket, every recorded decision used."
    from tradebot.config import project_root
    root = project_root()
    def refuse(*a, **k): raise AssertionError('network used during a replay')
    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.delenv('TRADEBOT_LLM_API_KEY', raising=False); monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    demo = root/'data'/'examples'/'llm_demo'
    r = runner.invoke(app, ['paper', '--data', str(root/'tests'/'data'/'btcusdt_1h_2025.csv.gz'), '--model', str(demo/'model'),
                            '--out', str(tmp_path/'llm_demo'), '--start', '2025-08-20', '--end', '2025-08-28 07:00', '--policy', 'llm',
                            '--llm-model', STANDIN, '--llm-base-url', 'http://127.0.0.1:8765/v1', '--llm-mode', 'replay-strict',
                            '--llm-record', str(demo/'llm_record.jsonl'), '--no-html', '-q'])
    assert r.exit_code == 0, r.output
    b = bars_of(tmp_path/'llm_demo')
    recorded = {json.loads(l)['key'] for l in (demo/'llm_record.jsonl').read_text().splitlines()}
    assert len(b) == 200 and {x['policy']['status'] for x in b} == {'ok'} and {x['policy']['trace']['record_key'] for x in b} == recorded

@pytest.mark.slow
def test_llm_report_renders_offline(tmp_path, monkeypatch):
    "`tradebot llm-report` on the fixture's real bars, replaying the shipped recording: offline HTML whose first line is the verdict."
    import re
    from tradebot.config import project_root
    from tradebot.report import network_refs
    monkeypatch.chdir(project_root())
    r = runner.invoke(app, ['llm-report', '--out', str(tmp_path/'rep'), '--n-random', '3'])
    assert r.exit_code == 0, r.output
    h = (tmp_path/'rep'/'llm_vs_rule.html').read_text()
    assert network_refs(h) == [] and '<img' in h
    text = re.sub(r'\s+', ' ', re.sub('<[^>]+>', ' ', re.sub(r'<style.*?</style>|<script.*?</script>', '', h, flags=re.S)))
    assert 'What does the LLM add?' in text and 'not an LLM' in text and 'random policies' in text, text[:2000]
    j = json.loads((tmp_path/'rep'/'llm_vs_rule.json').read_text())
    # the demo ships the no-probability and anonymised-twin recordings too, so the default report has every arm
    assert set(j['arms']) == {'rule', 'llm', 'llm_no_prob', 'llm_twin', 'random_0', 'random_1', 'random_2'} and j['cost']['decisions'] == 200
    assert 'On the anonymised twin' in text and "Without the model's probability" in text, text[:3000]
