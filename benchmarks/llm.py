"""The LLM layer's own cost: the record layer's overhead per live call, and how fast recorded decisions replay.

Prints:
  record layer per live call: K ms    key (render + hash), record lookup, JSONL append and ledger, timed apart from
                                      the HTTP call; target (issue 12) <= 5 ms. Also the median decide() time in
                                      `live` and `record` mode against the local stand-in server on 127.0.0.1, call by
                                      call in alternation (the difference is the record layer plus noise).
  replay: N decisions/s, one year T s  replay-strict of 8,760 recorded hourly decisions (BTCUSDT 1h bars of 2024 from
                                      the shared data, or the fixture tiled); the trading loop's own time is not in
                                      it (issue 11).
  loop replay: one year T s           the same year through the whole trading loop (`run_paper`: features, model,
                                      LLM policy in replay-strict, risk audit, paper broker, SQLite state, decision
                                      log), after recording it through the loop with the stand-in called in-process;
                                      a logistic model on technical features trained on the bars before the year.
                                      Target (issue 12): <= 30 s on 2 cores. Also checks the replay's decisions.jsonl
                                      is byte-identical to the recording run's.
The answers come from `tradebot.llm.server.StandIn` (a fixed rule, not an LLM). Figures on a shared machine rise
with its load (printed). Run with `.venv/bin/python benchmarks/llm.py`.
"""
import os, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd
from tradebot.agents.messages import MarketContext
from tradebot.config import get_settings, project_root
from tradebot.data import load_ohlcv
from tradebot.llm.client import Completion, LLMClient
from tradebot.llm.policy import LLMPolicy
from tradebot.llm.server import ChatServer, StandIn

def year_of_bars() -> tuple[pd.DataFrame, str]:
    p = Path(str(get_settings().shared_data_dir))/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz'
    if p.exists():
        b = load_ohlcv(p)
        return b.loc['2024-01-01':'2024-12-30 23:00'].iloc[:8_760], 'BTCUSDT 1h 2024 (shared data)'
    b = load_ohlcv(project_root()/'tests'/'data'/'btcusdt_1h_2025.csv.gz')
    reps = -(-8_760//len(b))
    idx = pd.date_range(b.index[0], periods=len(b)*reps, freq='1h')
    return pd.DataFrame(np.tile(b.values, (reps, 1)), index=idx, columns=b.columns).iloc[:8_760], 'fixture tiled to a year'

def contexts(bars: pd.DataFrame) -> list[MarketContext]:
    mom = bars.close.pct_change(6).fillna(0.0)
    rsi = 50 + 50*bars.close.pct_change(14).fillna(0.0).clip(-1, 1)
    return [MarketContext(time=t, symbol='BTCUSDT', timeframe='1h', close=float(c), equity=10_000.0,
                          prob_up=float(np.clip(0.5 + 10*m, 0.05, 0.95)), regime='trend' if abs(m) > 0.01 else 'range',
                          summary={'1h/ret_6': float(m), '1h/rsi_14': float(r)},
                          recent=[{'time': str(t), 'action': 'hold', 'position': 0.0}]*3,
                          headlines=['Bitcoin steady as traders await the Fed', 'ETF flows mixed'])
            for t, c, m, r in zip(bars.index, bars.close, mom, rsi)]

class Offline(LLMClient):
    "The stand-in rule called in-process: records a year without 8,760 HTTP round trips."
    def __init__(self):
        super().__init__('tradebot-standin-v1', base_url='http://127.0.0.1:9/v1'); self.rule = StandIn()
    def complete(self, messages):
        out = self.rule({'messages': messages})
        return Completion(out, sum(len(m['content']) for m in messages)//4 + 1, len(out)//4 + 1, 0.0, 1, [], self.model, 'stop')

def main():
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    bars, what = year_of_bars()
    ctxs = contexts(bars)
    d = Path(tempfile.mkdtemp())
    # 1. record layer per live call, against the local server
    n = 200
    with ChatServer() as srv:
        client = LLMClient('tradebot-standin-v1', base_url=srv.base_url)
        # record-layer pieces, timed apart from the HTTP call
        pol = LLMPolicy(client, mode='record', record=d/'pieces.jsonl')
        comp = client.complete(pol.key(ctxs[0])[1])
        t_key = t_app = t_led = 0.0
        for c in ctxs[:n]:
            t0 = time.perf_counter(); key, msgs = pol.key(c); pol.record.get(key); t1 = time.perf_counter()
            pol.record.append(key, {'raw': comp.content, 'intent': None, 'errors': [], 'prompt_tokens': comp.prompt_tokens,
                                    'completion_tokens': comp.completion_tokens, 'latency_ms': 1.0, 'time': c.time.isoformat(),
                                    'user': msgs[-1]['content']})
            t2 = time.perf_counter()
            pol.ledger.check(client.model, 500, client.max_tokens, client.provider)
            pol.ledger.charge('decision', client.model, comp.prompt_tokens, comp.completion_tokens, 'live', client.provider)
            t_key += t1 - t0; t_app += t2 - t1; t_led += time.perf_counter() - t2
    print(f"record layer per live call: {(t_key + t_app + t_led)/n*1000:.3f} ms  (key {t_key/n*1000:.3f}, append {t_app/n*1000:.3f}, "
          f"ledger {t_led/n*1000:.3f}); target <= 5 ms")
    # end-to-end, both modes, call by call in alternation (medians: a shared machine's noise hits both alike)
    with ChatServer() as srv:
        client = LLMClient('tradebot-standin-v1', base_url=srv.base_url)
        pols = {'live': LLMPolicy(client, mode='live'), 'record': LLMPolicy(client, mode='record', record=d/'e2e.jsonl')}
        res = {m: [] for m in pols}
        for c in ctxs[n:2*n]:
            for m, pol in pols.items():
                t = time.perf_counter(); pol.decide(c); res[m].append((time.perf_counter() - t)*1000)
        med = {m: float(np.median(v)) for m, v in res.items()}
    print(f"decide() against the local server, median of {n}: live {med['live']:.2f} ms, record {med['record']:.2f} ms "
          f"(difference {med['record'] - med['live']:+.2f} ms, HTTP noise included)")
    # 2. replay a year
    rec = d/'year.jsonl'
    t = time.perf_counter()
    pol = LLMPolicy(Offline(), mode='record', record=rec)
    for c in ctxs: pol.decide(c)
    t_rec = time.perf_counter() - t
    t = time.perf_counter()
    rep = LLMPolicy(Offline(), mode='replay-strict', record=rec)
    t_open = time.perf_counter() - t
    out = [rep.decide(c) for c in ctxs]
    t_rep = time.perf_counter() - t
    acts = pd.Series([r.intent.action for r in out if r.intent]).value_counts().to_dict()
    print(f"replay: {len(ctxs)/t_rep:,.0f} decisions/s, one year ({len(ctxs):,} hourly decisions, {what}) {t_rep:.2f} s "
          f"(opening the {rec.stat().st_size/1e6:.1f} MB record {t_open:.2f} s); recording it in-process took {t_rec:.2f} s")
    print(f"  stand-in actions over the year: {acts}")

def loop_year():
    "Record a year through the trading loop with the in-process stand-in, then time its replay-strict through the loop."
    from tradebot.agents.loop import run_paper
    from tradebot.data import save_bars
    from tradebot.train import train_model
    p = Path(str(get_settings().shared_data_dir))/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz'
    if p.exists():
        b = load_ohlcv(p).loc['2023-01-01':'2024-12-30 23:00']
        start, what = b.index.get_loc(pd.Timestamp('2024-01-01', tz='UTC')), 'BTCUSDT 1h 2024 (shared data)'
    else:
        f = load_ohlcv(project_root()/'tests'/'data'/'btcusdt_1h_2025.csv.gz')
        reps = -(-(8_760 + 2_000)//len(f))
        b = pd.DataFrame(np.tile(f.values, (reps, 1)), index=pd.date_range(f.index[0], periods=len(f)*reps, freq='1h'), columns=f.columns)
        start, what = 2_000, 'fixture tiled to a year'
    bars = b.iloc[:start + 8_760]
    d = Path(tempfile.mkdtemp())
    train_model(str(save_bars(bars.iloc[:start], d/'train.csv.gz')), 'logistic', out=d/'model', families=['tech'], oof_folds=0, horizon=12)
    t0 = bars.index[start]
    t = time.perf_counter()
    _, s_rec = run_paper(bars, d/'model', d/'rec'/'run', policy=LLMPolicy(Offline(), mode='record', record=d/'year.jsonl'), start=t0, progress=False)
    t_rec = time.perf_counter() - t
    t = time.perf_counter()
    _, s = run_paper(bars, d/'model', d/'rep'/'run', policy=LLMPolicy(Offline(), mode='replay-strict', record=d/'year.jsonl'), start=t0, progress=False)
    t_rep = time.perf_counter() - t
    same = (d/'rec'/'run'/'decisions.jsonl').read_bytes() == (d/'rep'/'run'/'decisions.jsonl').read_bytes()
    print(f"loop replay: one year ({s['bars']:,} bars, {what}) through run_paper with replay-strict LLM decisions {t_rep:.1f} s "
          f"(target <= 30 s); recording it through the loop took {t_rec:.1f} s; decisions.jsonl byte-identical: {same}; "
          f"{s['trades']} trades, net return {s['total_return']:+.2%}; load average {os.getloadavg()[0]:.1f}")

if __name__ == '__main__':
    main()
    loop_year()
