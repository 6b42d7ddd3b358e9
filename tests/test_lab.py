"`make lab` on this machine: JupyterLab starts headless (as root too), serves its API and lists the project's kernel."
import json, os, secrets, signal, socket, subprocess, time, urllib.request, urllib.error
from pathlib import Path
import pytest
from tradebot.config import project_root

ROOT = project_root()

def _free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _get(url:str, token:str):
    req = urllib.request.Request(url, headers={'Authorization': f'token {token}'})
    with urllib.request.urlopen(req, timeout=5) as r: return json.loads(r.read())

def test_make_lab_starts_with_the_tradebot_kernel(tmp_path):
    if not (ROOT/'.venv'/'bin'/'jupyter').exists(): pytest.skip('no .venv/bin/jupyter: run make install first')
    port, token = _free_port(), secrets.token_hex(16)
    args = f'--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} --ServerApp.port_retries=0'
    # -o: never reinstall from inside a test, whatever the stamp says
    p = subprocess.Popen(['make', '--no-print-directory', '-o', '.venv/.installed', 'lab', f'LAB_ARGS={args}'], cwd=ROOT,
                         stdout=open(tmp_path/'lab.log', 'w'), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status, t0 = None, time.time()
        while time.time() - t0 < 120 and p.poll() is None:
            try: status = _get(f'http://127.0.0.1:{port}/api/status', token); break
            except (urllib.error.URLError, ConnectionError, OSError): time.sleep(0.5)
        log = (tmp_path/'lab.log').read_text()
        assert status is not None, f'Lab did not answer on port {port}:\n{log[-3000:]}'
        assert 'started' in status and 'kernels' in status, status
        specs = _get(f'http://127.0.0.1:{port}/api/kernelspecs', token)['kernelspecs']
        assert 'tradebot' in specs, sorted(specs)
        # registered inside the venv (--sys-prefix), not in the user's home
        assert (ROOT/'.venv'/'share'/'jupyter'/'kernels'/'tradebot'/'kernel.json').exists()
        assert specs['tradebot']['spec']['display_name'] == 'tradebot (.venv)'
        assert 'Running as root is not recommended' not in log
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try: p.wait(30)
            except subprocess.TimeoutExpired: os.killpg(p.pid, signal.SIGKILL); p.wait()
