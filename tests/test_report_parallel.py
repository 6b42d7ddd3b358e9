"Several `tradebot report` runs at once: each kernel's IPC sockets live in a private temporary folder, none in the source tree."
import os, subprocess, sys, threading, time
from pathlib import Path
import yaml
from tradebot.config import project_root

ROOT = project_root()
TRADEBOT = Path(sys.executable).parent/'tradebot'

def test_concurrent_reports_do_not_collide(tmp_path):
    params = tmp_path/'tiny.yaml'
    params.write_text(yaml.safe_dump(dict(data='sample:EURUSD', n_folds=2, n_seeds=1, n_random=10, families=['technical'], models=['lightgbm'], select=False, horizon=12)))
    tpl = ROOT/'reports'/'templates'
    seen, stop = set(), threading.Event()
    def watch():   # the old behaviour: sockets kernel-ipc-1.. in the templates folder, shared by every run
        while not stop.is_set(): seen.update(n for n in os.listdir(tpl) if 'ipc' in n); time.sleep(0.05)
    w = threading.Thread(target=watch); w.start()
    procs = [subprocess.Popen([str(TRADEBOT), 'report', '-q', '--params', str(params), '--out', str(tmp_path/f'r{i}'), '--name', f'r{i}'],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(3)]
    outs = [p.communicate(timeout=600) for p in procs]
    stop.set(); w.join()
    for i, (p, (so, se)) in enumerate(zip(procs, outs)):
        assert p.returncode == 0, se[-2000:]
        assert so.strip().splitlines()[-1] == str(tmp_path/f'r{i}'/'report.html')
        assert (tmp_path/f'r{i}'/'report.html').stat().st_size > 10_000
    assert not seen, f'kernel sockets appeared in {tpl}: {sorted(seen)}'
    assert not [n for n in os.listdir(tpl) if 'ipc' in n]
