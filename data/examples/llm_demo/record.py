"""Rebuild this folder: a logistic model on technical features trained on the fixture's first 2,000 bars (2025-05-19 ..
2025-08-10), and the LLM record of a 200-bar paper run after them, recorded against the deterministic stand-in
(`tradebot.llm.server.StandIn`, model id tradebot-standin-v1: a fixed rule on the model's probability, NOT an LLM).
Also the two other LLM arms of `tradebot llm-report`, against the same stand-in: `llm_record_no_prob.jsonl` (the context
without the model's probability) and `llm_record_twin.jsonl` (the anonymised twin: symbol renamed, dates shifted, prices
rebased). Run from the repository root: `.venv/bin/python data/examples/llm_demo/record.py` (about a minute)."""
import shutil, tempfile
from pathlib import Path
from typer.testing import CliRunner
from tradebot.cli import app
from tradebot.data import load_ohlcv, save_bars
from tradebot.llm.server import ChatServer
from tradebot.train import train_model
from tradebot.agents.loop import run_paper
from tradebot.llm.policy import llm_policy
from tradebot.llm.report import twin

HERE, FIXTURE = Path('data/examples/llm_demo'), Path('tests/data/btcusdt_1h_2025.csv.gz')
START, END = '2025-08-20 00:00', '2025-08-28 07:00'   # 200 hourly bars, after the model's training window

def main():
    bars = load_ohlcv(FIXTURE)
    with tempfile.TemporaryDirectory() as d:
        shutil.rmtree(HERE/'model', ignore_errors=True)
        train_model(str(save_bars(bars.iloc[:2000], Path(d)/'btcusdt_1h_train.csv.gz')), 'logistic', out=HERE/'model',
                    families=['tech'], oof_folds=0, horizon=12)
        (HERE/'llm_record.jsonl').unlink(missing_ok=True)
        with ChatServer() as srv:
            r = CliRunner().invoke(app, ['paper', '--data', str(FIXTURE), '--model', str(HERE/'model'), '--out', str(Path(d)/'llm_demo'),
                                         '--start', START, '--end', END, '--policy', 'llm', '--llm-model', 'tradebot-standin-v1',
                                         '--llm-base-url', srv.base_url, '--llm-mode', 'record', '--no-html', '-q'])
        assert r.exit_code == 0, r.output
        print(r.stdout)
        shutil.copy(Path(d)/'llm_demo'/'llm_record.jsonl', HERE/'llm_record.jsonl')
    record_other_arms()

def record_other_arms():
    "The no-probability arm and the anonymised twin, recorded against the stand-in over the same bars."
    span = dict(start=START, end=END)
    with tempfile.TemporaryDirectory() as d, ChatServer() as srv:
        d = Path(d)
        run_paper(str(FIXTURE), HERE/'model', d/'noprob'/'run', policy=llm_policy(d/'noprob'/'run', mode='record', model='tradebot-standin-v1',
                  base_url=srv.base_url, include_prob=False), progress=False, **span)
        tb, ts, te, anon = twin(str(FIXTURE), **span)
        run_paper(tb, HERE/'model', d/'twin'/'run', policy=llm_policy(d/'twin'/'run', mode='record', model='tradebot-standin-v1', base_url=srv.base_url),
                  start=ts, end=te, symbol=anon.symbol, progress=False)
        shutil.copy(d/'noprob'/'run'/'llm_record.jsonl', HERE/'llm_record_no_prob.jsonl')
        shutil.copy(d/'twin'/'run'/'llm_record.jsonl', HERE/'llm_record_twin.jsonl')

if __name__ == '__main__': main()
