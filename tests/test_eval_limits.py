"""The evaluation's limits as a user meets them through `tradebot report`: a file too short for the configuration, and more
folds than the bars can hold, are each refused in one line that names the numbers, before any notebook kernel starts."""
from typer.testing import CliRunner
from tradebot.cli import app
from tradebot.data import sample_path

runner = CliRunner()

def _refused(*args)->str:
    "Run `tradebot report ...` in process; it must exit 2 with exactly one line on stderr. Returns that line."
    r = runner.invoke(app, ['report', *map(str, args), '--quiet'])
    assert r.exception is None or isinstance(r.exception, SystemExit), f"{type(r.exception).__name__}: {r.exception}"
    assert r.exit_code == 2 and 'Traceback' not in r.output, r.output[-2000:]
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith('error: '), r.stderr
    return err[0]

def test_a_file_too_short_for_the_configuration(tmp_path):
    (p := tmp_path/'short.csv').write_text('\n'.join(sample_path('EURUSD').read_text().splitlines()[:301]) + '\n')  # 300 real bars
    line = _refused('--data', p, '--out', tmp_path/'r')
    assert 'short.csv: 300 bars are too few for this configuration: after the 57-bar feature warm-up' in line, line
    assert '5 test block(s) of at least 48 bars need 480 bars after the warm-up, 537 in all' in line, line

def test_more_folds_than_the_bars_hold(tmp_path):
    (p := tmp_path/'p.yaml').write_text('data: sample:EURUSD\nn_folds: 200\n')
    line = _refused('--params', p, '--out', tmp_path/'r')
    assert 'sample:EURUSD: n_folds=200 is more than 5,000 bars can hold' in line and 'set n_folds to 53 or fewer' in line, line
