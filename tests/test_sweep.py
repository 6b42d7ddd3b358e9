"Sweeps end to end: the shipped example, failures recorded, a kill -9 resumed, local and Ray engines agreeing, the summary HTML."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pandas as pd
import pytest
import yaml
from tradebot.config import project_root
from tradebot.sweep import load_sweep, run_sweep, read_log, prepare_bars, expand_tasks, TIMING_COLUMNS, SweepError

ROOT = project_root()
TRADEBOT = Path(sys.executable).parent/'tradebot'
# small and fast: ~2,900 hourly EURUSD bars, 2 folds, one seed per task, technical features only
BASE = dict(n_folds=2, n_seeds=1, n_random=10, families=['technical'], models=['lightgbm'])
EUR = dict(data='sample:EURUSD', start='2017-10-01')

def _spec(tmp_path, grid, name='t', base=BASE, data=(EUR,)):
    p = tmp_path/f'{name}.yaml'
    p.write_text(yaml.safe_dump(dict(name=name, data=list(data), base=base, grid=grid)))
    return p

def test_example_sweep_is_two_symbols_two_models_two_seeds(shared_data):
    spec = load_sweep(ROOT/'sweeps'/'example.yaml')
    bars = [prepare_bars(d) for d in spec.data]
    tasks = expand_tasks(spec, bars)
    assert len(tasks) == 8
    assert {t.config['symbol'] for t in tasks} == {'BTCUSDT', 'ETHUSDT'}
    assert {tuple(t.config['models']) for t in tasks} == {('lightgbm',), ('logistic',)}
    assert {t.config['seed'] for t in tasks} == {0, 1}
    assert all(len(b) > 10_000 for b in bars)  # two years of real 1h bars each

def test_failed_task_is_recorded_and_the_sweep_goes_on(tmp_path):
    spec = _spec(tmp_path, dict(horizon=[24, 4000]))   # a 4,000-bar horizon on ~2,900 bars cannot be evaluated
    out = tmp_path/'out'
    res = run_sweep(spec, out, workers=2, progress=False, report=True)
    assert list(res.horizon) == [24, 4000] and list(res.status) == ['ok', 'error']
    bad = res.iloc[1]
    assert bad.error.startswith('DataError: ') and 'too few' in bad.error, bad.error   # the evaluation's one-line size check
    assert 'Traceback' in (out/'tasks'/bad.task_id/'error.txt').read_text()
    assert not (out/'tasks'/bad.task_id/'metrics.json').exists()
    good = res.iloc[0]
    m = json.loads((out/'tasks'/good.task_id/'metrics.json').read_text())
    assert m['overall']['sharpe'] == pytest.approx(good.overall__sharpe, abs=0, rel=1e-12)
    assert m['deflated_sharpe'] == pytest.approx(good.deflated_sharpe, rel=1e-12)
    assert res.sweep_n_trials.iloc[0] == 1 and pd.isna(bad.sweep_deflated_sharpe)
    # the summary HTML names the sweep, its failure, and ranks the finished task
    html = (out/'summary'/'report.html').read_text()
    assert 'Sweep: out' in html and '1 finished, 1 failed' in html and 'too few' in html
    assert json.loads((out/'summary'/'metrics.json').read_text())['failed'] == 1
    # a rerun retries nothing unless asked; with --retry-errors only the failed task runs again
    run_sweep(spec, out, progress=False, report=False)
    log = read_log(out)
    assert (log.event == 'submit').sum() == 2
    run_sweep(spec, out, retry_errors=True, progress=False, report=False)
    log = read_log(out)
    assert list(log[log.event == 'submit'].task_id) == [good.task_id, bad.task_id, bad.task_id]

def test_killed_sweep_resumes_without_losing_or_repeating_a_task(tmp_path):
    spec = _spec(tmp_path, dict(seed=[0, 1, 2, 3]))
    out = tmp_path/'out'
    cmd = [str(TRADEBOT), 'sweep', '--config', str(spec), '--out', str(out), '--workers', '1', '--no-report', '-q']
    p = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rows = lambda: sorted((out/'tasks').glob('*/row.json')) if (out/'tasks').exists() else []
    t0 = time.time()
    while not rows() and p.poll() is None and time.time() - t0 < 120: time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)   # the driver and its pool worker, mid-sweep
    p.wait()
    killed_at = time.time()
    before = {r.parent.name: (r.read_bytes(), r.stat().st_mtime_ns) for r in rows()}
    assert 1 <= len(before) < 4, f'{len(before)} tasks finished before the kill'
    assert not (out/'results.parquet').exists()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = pd.read_parquet(out/'results.parquet')
    assert len(res) == 4 and (res.status == 'ok').all() and sorted(res.seed) == [0, 1, 2, 3]
    # nothing finished was lost or redone: its committed row is byte-identical and untouched
    for tid, (b, mt) in before.items():
        row = out/'tasks'/tid/'row.json'
        assert row.read_bytes() == b and row.stat().st_mtime_ns == mt
    log = read_log(out)
    commits = log[log.event == 'commit'].task_id
    assert sorted(commits) == sorted(res.task_id)   # every task committed exactly once
    resubmitted = log[(log.event == 'submit') & (pd.to_datetime(log.utc).map(lambda t: t.timestamp()) > killed_at)].task_id
    assert not set(resubmitted) & set(before)
    assert set(resubmitted) == set(res.task_id) - set(before)

def test_ray_engine_gives_the_local_engines_metrics(tmp_path):
    pytest.importorskip('ray', reason="Ray not installed: pip install -e '.[ray]'")
    spec = _spec(tmp_path, dict(models=[['lightgbm'], ['logistic']]))
    loc = run_sweep(spec, tmp_path/'local', engine='local', workers=2, progress=False, report=False)
    try: ray_ = run_sweep(spec, tmp_path/'ray', engine='ray', workers=2, progress=False, report=False)
    except SweepError as e:   # only a cluster that never came up; any difference in results fails below
        if 'Ray did not start' not in str(e): raise
        pytest.skip(f"Ray's local cluster did not start on this machine (its raylet waits a fixed 15 s for its agents; a loaded machine misses it): {e}")
    assert len(loc) == 2 and (loc.status == 'ok').all()
    assert (ray_.engine == 'ray').all() and (loc.engine == 'local').all()
    # Ray ran the tasks in its own worker processes, not in the driver
    assert not set(ray_.worker) & set(loc.worker) and str(os.getpid()) not in ' '.join(ray_.worker)
    drop = list(TIMING_COLUMNS)
    pd.testing.assert_frame_equal(loc.drop(columns=drop), ray_.drop(columns=drop), check_exact=True)
    for tid in loc.task_id:
        assert (tmp_path/'local'/'tasks'/tid/'metrics.json').read_bytes() == (tmp_path/'ray'/'tasks'/tid/'metrics.json').read_bytes()

def test_cli_sweep_prints_paths_and_bad_config_is_one_line(tmp_path):
    bad = tmp_path/'bad.yaml'; bad.write_text("data: [sample:EURUSD]\ngrid: {horizn: [1]}\n")
    r = subprocess.run([str(TRADEBOT), 'sweep', '--config', str(bad), '--out', str(tmp_path/'o')], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and r.stderr.startswith('error: ') and 'horizn' in r.stderr and 'Traceback' not in r.stderr
