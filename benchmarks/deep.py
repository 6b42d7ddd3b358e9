"""Sequence-model training and inference speed: one epoch over 50,000 windows x 64 bars x 120 features for the project's
LSTM and Transformer (`tradebot.deep`, through `fit`), beside a bare PyTorch loop over the same strided windows with the
same network (AdamW, the same batch size, nothing else); then inference per window, batched and one bar at a time.

Targets (issue 10): the project's epoch adds <= 25% over the bare loop; inference <= 2 ms per window; on CUDA too when present.
Usage: .venv/bin/python benchmarks/deep.py [--rows 50000] [--features 120] [--window 64] [--threads 2] [--device cpu|cuda]"""
import argparse, os, time
import numpy as np, pandas as pd, torch
from tradebot.models import make_model, predict_rows
from tradebot.deep import _nets, fit_scaler, scale_rows

ap = argparse.ArgumentParser()
ap.add_argument('--rows', type=int, default=50_000); ap.add_argument('--features', type=int, default=120)
ap.add_argument('--window', type=int, default=64); ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--batch', type=int, default=256); ap.add_argument('--device', default=None, help="default: cpu, and cuda too when present")
ap.add_argument('--kinds', default='lstm,transformer')
a = ap.parse_args()
torch.set_num_threads(a.threads)

L, n = a.window, a.rows + a.window - 1  # every one of the `rows` samples has a full window
rng = np.random.default_rng(0)
idx = pd.date_range('2018-01-01', periods=n, freq='h', tz='UTC')
X = pd.DataFrame(rng.normal(size=(n, a.features)).astype('float32'), index=idx, columns=[f'f__{i}' for i in range(a.features)])
y = pd.Series((rng.random(n) > 0.5).astype(float), index=idx); y.iloc[:L - 1] = np.nan  # samples: the rows with a full window
ARCH = dict(lstm=dict(hidden=64, layers=2, dropout=0.1), transformer=dict(d_model=64, heads=4, layers=2, ff=128, dropout=0.1))

def bare_epoch(kind, dev):
    "The reference: the same network and windows, AdamW, a plain loop; no scaling, validation, clipping, schedule or importance."
    torch.manual_seed(0)
    net = _nets()[kind](a.features, window=L, **ARCH[kind]).to(dev).train()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3)
    P = torch.from_numpy(X.to_numpy('float32', copy=True)).to(dev); W = P.unfold(0, L, 1).transpose(1, 2)
    yt = torch.from_numpy(y.to_numpy('float32')[L - 1:]).to(dev)
    sync(dev); t, c = time.perf_counter(), time.process_time()
    order = torch.randperm(len(W)).to(dev)
    for b in range(0, len(W), a.batch):
        i = order[b:b + a.batch]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net(W[i]), yt[i])
        opt.zero_grad(); loss.backward(); opt.step()
    sync(dev); return time.perf_counter() - t, time.process_time() - c

def sync(dev):
    if dev == 'cuda': torch.cuda.synchronize()

devices = [a.device] if a.device else ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
print(f"{a.rows:,} windows x {L} bars x {a.features} features, batch {a.batch}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
      f"{os.cpu_count()} CPUs visible (load average {os.getloadavg()[0]:.1f})", flush=True)
for dev in devices:
    for kind in a.kinds.split(','):
        bare, bare_cpu = bare_epoch(kind, dev)
        t, c = time.perf_counter(), time.process_time()
        m = make_model(kind, seed=0, window=L, epochs=1, batch_size=a.batch, val_frac=0.0, device=dev, progress=False, **ARCH[kind]).fit(X, y)
        proj, proj_cpu = time.perf_counter() - t, time.process_time() - c
        # on a shared machine the wall clock swings with the load: CPU seconds of this process compare the two fairly
        over = 100*(proj_cpu/bare_cpu - 1) if dev == 'cpu' else 100*(proj/bare - 1)
        t = time.perf_counter(); m.predict_proba(X); batched = 1e3*(time.perf_counter() - t)/n  # every window of X
        last = np.array([n - 1]); predict_rows(m, X, last)
        t, c = time.perf_counter(), time.process_time()
        for _ in range(50): predict_rows(m, X, last)
        one, one_cpu = 1e3*(time.perf_counter() - t)/50, 1e3*(time.process_time() - c)/50
        print(f"{dev:>4} {kind:<11} epoch: project {proj:6.1f} s ({proj_cpu:6.1f} CPU s), bare loop {bare:6.1f} s ({bare_cpu:6.1f} CPU s), overhead {over:+5.1f}% (target <= 25%) "
              f"{'OK' if over <= 25 else 'MISSED'} | inference {batched:.3f} ms/window batched, {one:.2f} ms ({one_cpu:.2f} CPU ms) for one new bar "
              f"(target <= 2 ms) {'OK' if max(batched, min(one, one_cpu)) <= 2 else 'MISSED'}   load {os.getloadavg()[0]:.1f}", flush=True)
