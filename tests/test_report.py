"End to end: the `tradebot report` command on the bundled data, and what its run folder must hold."
import json, re, subprocess, sys, shutil
from html import unescape
from pathlib import Path
import pytest
from tradebot.config import project_root
from tradebot.metrics import METRIC_KEYS
from tradebot.report import fmt_metric, run_report, ReportError

ROOT = project_root()
TRADEBOT = Path(sys.executable).parent/'tradebot'

@pytest.fixture(scope='module')
def run(tmp_path_factory):
    "One real report run through the console command, on the bundled EURUSD data, with 3 folds to stay quick."
    out = tmp_path_factory.mktemp('run')
    params = out/'p.yaml'
    params.write_text('data: sample:EURUSD\nn_folds: 3\nhorizon: 12\nn_seeds: 2\nn_random: 20\nimportance: true\nname: it\n')
    r = subprocess.run([str(TRADEBOT), 'report', '--params', str(params), '--out', str(out)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return out, r

def test_prints_html_path_last(run):
    out, r = run
    last = r.stdout.strip().splitlines()[-1]
    assert Path(last) == out/'report.html' and Path(last).exists()
    assert 'walk-forward fits' in r.stderr  # progress was streamed while folds ran

def test_run_folder(run):
    out, _ = run
    for f in ('report.html', 'report.ipynb', 'metrics.json', 'run_card.json', 'predictions.parquet', 'equity.parquet', 'trades.parquet'):
        assert (out/f).exists(), f
    m = json.loads((out/'metrics.json').read_text())
    for k in ('overall', 'buy_and_hold'): assert set(METRIC_KEYS) <= set(m[k])
    assert len(m['folds']) == 3 and all(set(METRIC_KEYS) <= set(f) for f in m['folds'])
    card = json.loads((out/'run_card.json').read_text())
    assert card['parameters']['n_folds'] == 3 and card['parameters']['horizon'] == 12  # the yaml was applied
    assert len(card['data']['sha256']) == 64 and card['data']['periods_per_year'] == 6240
    assert (out/'report.html').stat().st_size < 5_000_000

def test_html_shows_metrics_json_numbers(run):
    out, _ = run
    m = json.loads((out/'metrics.json').read_text())
    html = (out/'report.html').read_text()
    text = unescape(re.sub(r'<[^>]+>', ' ', html))
    # the performance table, row by row: <th>metric</th><td>strategy</td><td>buy & hold</td>
    for k in METRIC_KEYS:
        row = re.search(rf'<th>{k}</th>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', html)
        assert row, k
        assert row.groups() == (fmt_metric(m['overall'][k], k), fmt_metric(m['buy_and_hold'][k], k)), (k, row.groups())
    # the per-fold table, row by row: the fold number, its dates, then total_return ... turnover
    for f in m['folds']:
        row = re.search(rf'<th>{f["fold"]}</th>\s*<td>{f["test_start"][:16]}</td>\s*<td>{f["test_end"][:16]}</td>\s*<td>{f["n_train"]}</td>((?:\s*<td>[^<]*</td>){{9}})', html)
        assert row, f['fold']
        assert re.findall(r'<td>([^<]*)</td>', row.group(1)) == [fmt_metric(f[k], k) for k in METRIC_KEYS], f['fold']
    assert 'edge after costs: ' in text and m['verdict']['text'].split(',')[0] in text
    assert '<img' in (out/'report.html').read_text() and 'data:image/png;base64' in (out/'report.html').read_text()
    assert 'import ' not in text  # no code cells in the report

def test_template_without_parameters_tag_is_refused(tmp_path, monkeypatch):
    nb = json.loads((ROOT/'reports/templates/evaluation.ipynb').read_text())
    for c in nb['cells']: c['metadata'].pop('tags', None)
    tpl = tmp_path/'reports'/'templates'; tpl.mkdir(parents=True)
    (tpl/'evaluation.ipynb').write_text(json.dumps(nb))
    monkeypatch.setattr('tradebot.report.project_root', lambda: tmp_path)
    with pytest.raises(ReportError, match="tagged 'parameters'"):
        run_report(out=tmp_path/'out', progress=False)

def test_bad_parameter_fails_before_running(tmp_path):
    p = tmp_path/'bad.yaml'; p.write_text('horizn: 5\n')
    r = subprocess.run([str(TRADEBOT), 'report', '--params', str(p), '--out', str(tmp_path/'o')], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and 'horizn' in r.stderr and 'Traceback' not in r.stderr
    assert not (tmp_path/'o'/'report.ipynb').exists()

def test_compare_report_puts_runs_in_one_html(tmp_path):
    "Several symbols and timeframes in one report (bundled hourly EURUSD and daily GOOG; small, fixed-configuration settings to stay quick: selection has its own tests)."
    p = tmp_path/'cmp.yaml'
    p.write_text('n_folds: 3\nn_seeds: 1\nn_random: 10\nselect: false\nruns:\n  - {data: sample:EURUSD, horizon: 12}\n  - {data: sample:GOOG, horizon: 5, min_train: 0.5}\n')
    r = subprocess.run([str(TRADEBOT), 'report', '-q', '--params', str(p), '--out', str(tmp_path/'o')], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads((tmp_path/'o'/'metrics.json').read_text())
    assert [x['label'] for x in m['runs']] == ['sample:EURUSD 1h', 'sample:GOOG 1d']
    text = unescape(re.sub(r'<[^>]+>', ' ', (tmp_path/'o'/'report.html').read_text()))
    for run in m['runs']:
        assert fmt_metric(run['overall']['total_return'], 'total_return') in text.split() and fmt_metric(run['buy_and_hold']['sharpe'], 'sharpe') in text.split()
    assert (tmp_path/'o'/'run1'/'metrics.json').exists()

@pytest.mark.parametrize('args', [['data', 'list'], ['features', 'list'], ['features', 'list', '--json']])
def test_listing_commands_run_from_the_console_script(args):
    "The installed `tradebot` command, not the in-process app: catches a module-level import the notebooks mask."
    r = subprocess.run([str(TRADEBOT), *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert ('sample:EURUSD' in r.stdout) if args[0] == 'data' else ('tech__rsi_14' in r.stdout)

def test_html_shows_selection_and_calibration(run):
    "Selection is on by default: the report shows each fold's choice with inner and outer Sharpe, and the Brier scores before and after calibration."
    out, _ = run
    m = json.loads((out/'metrics.json').read_text())
    html = (out/'report.html').read_text()
    text = unescape(re.sub(r'<[^>]+>', ' ', html))
    assert m['selection']['enabled'] and len(m['selection']['folds']) == 3
    assert 'Selection inside the training folds' in text and 'Calibration' in text
    for f in m['selection']['folds']:  # fold, horizon, rule, inner and outer Sharpe, row by row
        row = re.search(rf'<th>{f["fold"]}</th>\s*<td>{f["horizon"]}</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', html)
        assert row and tuple(unescape(g) for g in row.groups()) == (f['rule'], fmt_metric(f['inner_sharpe']), fmt_metric(f['outer_sharpe'])), f
    for k in ('raw', 'calibrated'): assert fmt_metric(m['calibration'][k]['brier']) in text.split()
    card = json.loads((out/'run_card.json').read_text())
    assert card['selection'].startswith('nested walk-forward') and 'borrow' in card['costs'] and card['costs']['instrument'] == 'spot'

def test_html_shows_models_diversity_importance(run):
    "The models side by side out of fold (log-loss, Brier against the base rate), their diversity, and gain beside out-of-fold permutation importance."
    out, _ = run
    m = json.loads((out/'metrics.json').read_text())
    text = unescape(re.sub(r'<[^>]+>', ' ', (out/'report.html').read_text()))
    assert 'Models compared out of fold' in text
    for x in (x for x in m['models'] if x['type'] == 'model'):
        assert fmt_metric(x['log_loss']) in text.split() and fmt_metric(x['brier']) in text.split(), x['name']
    assert 'lightgbm / logistic' in text and fmt_metric(m['diversity'][0]['q_statistic']) in text.split()
    assert m['importance'][0]['feature'] in text and 'permutation (millinats)' in text
