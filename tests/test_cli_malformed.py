"""Every CLI command, driven with a set of malformed and unusual files: each ends in a result or in one clear line, never a traceback.

The files are real EURUSD bars (the sample inside backtesting.py) broken the ways files arrive broken. The commands run in
process through typer's runner, so the whole set stays fast; a few run as real subprocesses to see exactly what a user sees.
`tradebot report` starts a notebook kernel per file, so the fast suite drives it with one file and `--runslow` with all.
"""
import gzip, io, subprocess, sys, zipfile
from pathlib import Path
import numpy as np, pandas as pd, pytest
from typer.testing import CliRunner
from tradebot.cli import app
from tradebot.data import sample_path

TRADEBOT = Path(sys.executable).parent/'tradebot'
HEAD = 'ts,open,high,low,close,volume\n'


def _eur_lines(n:int=400)->list:
    "The first n rows of the real EURUSD sample as 'ts,open,high,low,close,volume' lines."
    rows = sample_path('EURUSD').read_text().splitlines()[1:n + 1]
    return [r + '\n' for r in rows]

def _csv(rows:list)->str: return HEAD + ''.join(rows)

def _with(rows:list, i:int, col:int, value)->list:
    "rows with field `col` (0 = ts) of row i replaced."
    out = list(rows)
    f = out[i].rstrip('\n').split(',')
    f[col] = str(value)
    out[i] = ','.join(f) + '\n'
    return out

def _zip(members:dict)->bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items(): z.writestr(name, text)
    return buf.getvalue()

def _flip(b:bytes, at:int)->bytes:
    b = bytearray(b); b[at] ^= 0x10
    return bytes(b)

def malformed_files(d:Path)->dict:
    "name -> path of each malformed or unusual file, written into folder d."
    rows = _eur_lines()
    good = _csv(rows)
    ts = [r.split(',', 1)[0] for r in rows]
    files = {
        'empty.csv': '', 'blank.csv': '\n\n  \n', 'header_only.csv': HEAD,
        'bad_number.csv': _csv(_with(rows, 5, 5, 'lots')),
        'bad_timestamp.csv': _csv(_with(rows, 5, 0, '2017-13-45 09:00:00')),
        'missing_timestamp.csv': _csv(_with(rows, 5, 0, '')),
        'row_numbers.csv': HEAD + ''.join(f"{i},{r.split(',', 1)[1]}" for i, r in enumerate(rows, 1)),
        'ragged.csv': _csv(rows[:10] + [rows[10].rstrip('\n') + ',7\n'] + rows[11:]),
        'seven_columns_no_header.csv': ''.join(f"1735689600000,{r.split(',', 1)[1].rstrip()},3\n" for r in rows[:5]),
        'ambiguous_dates.csv': 'date,open,high,low,close,volume\n05/06/2024,1,2,0.5,1.5,10\n06/05/2024,1,2,0.5,1.5,10\n',
        'not_bars_funding.csv': 'fundingTime,fundingRate\n1735689600000,0.0001\n1735718400000,0.0002\n',
        'conflicting_duplicates.csv': _csv(rows + [_with(rows, 200, 5, 999)[200]]),
        'exact_duplicates.csv': _csv(rows[:100] + rows[99:]),
        'unsorted.csv': _csv(rows[:50] + [rows[51], rows[50]] + rows[52:]),
        'nan_close.csv': _csv(_with(rows, 7, 4, '')),
        'inf_close.csv': _csv(_with(rows, 7, 4, 'inf')),
        'negative_price.csv': _csv(_with(rows, 7, 3, '-1.07')),
        'high_below_low.csv': _csv(_with(rows, 7, 2, '0.5')),
        'spike_1e300.csv': _csv(_with(_with(rows, 300, 4, '1e300'), 300, 2, '1e300')),
        'wick_20x_down.csv': _csv(_with(rows, 300, 3, '0.0535')),
        'huge_volume.csv': _csv(_with(rows, 30, 5, '1e30')),
        'zero_volume_run.csv': _csv([_with([r], 0, 5, 0)[0] if 100 <= i < 106 else r for i, r in enumerate(rows)]),
        'constant_price.csv': HEAD + ''.join(f"{t},1.1,1.1,1.1,1.1,10\n" for t in ts),
        'one_row.csv': _csv(rows[:1]), 'two_rows.csv': _csv(rows[:2]), 'fifty_rows.csv': _csv(rows[:50]),
        'future_bars.csv': HEAD + ''.join(f"{t:%Y-%m-%d %H:%M:%S},{r.split(',', 1)[1]}" for t, r in
                                          zip(pd.date_range(pd.Timestamp.now('UTC').floor('h') - pd.Timedelta('100h'), periods=len(rows), freq='h'), rows)),
        'mixed_1h_then_15m.csv': _csv(rows[:200] + [f"{t:%Y-%m-%d %H:%M:%S},{r.split(',', 1)[1]}" for t, r in
                                                    zip(pd.date_range(pd.Timestamp(ts[199]) + pd.Timedelta('15min'), periods=200, freq='15min'), rows[200:])]),
        'epoch_year_3000.csv': HEAD + ''.join(f"{32503680000 + 3600*i},{r.split(',', 1)[1]}" for i, r in enumerate(rows[:20])),
        'latin1.csv': None, 'utf16.csv': None, 'utf16le_no_bom.csv': None,
        'binary.csv': None, 'truncated.csv.gz': None, 'flipped_bit.csv.gz': None, 'flipped_bit.zip': None,
        'truncated.zip': None, 'two_members.zip': None, 'excel.zip': None, 'bad.parquet': None, 'folder.csv': None,
    }
    out = {}
    for name, text in files.items():
        p = d/name
        if text is not None: p.write_text(text)
        out[name] = p
    (d/'latin1.csv').write_bytes(('ts,open,high,low,close,volume,note\n' + ''.join(r.rstrip('\n') + ',caf\xe9\n' for r in rows)).encode('latin-1'))
    (d/'utf16.csv').write_bytes(good.encode('utf-16'))
    (d/'utf16le_no_bom.csv').write_bytes(good.encode('utf-16-le'))
    (d/'binary.csv').write_bytes(bytes(range(256)) * 8)
    gz = gzip.compress(good.encode())
    (d/'truncated.csv.gz').write_bytes(gz[:len(gz)//2])
    (d/'flipped_bit.csv.gz').write_bytes(_flip(gz, 30))
    z = _zip({'eur.csv': good})
    (d/'flipped_bit.zip').write_bytes(_flip(z, 40))
    (d/'truncated.zip').write_bytes(z[:len(z)//2])
    (d/'two_members.zip').write_bytes(_zip({'a.csv': good, 'b.csv': good}))
    (d/'excel.zip').write_bytes(_zip({'xl/workbook.xml': '<workbook/>', '[Content_Types].xml': '<Types/>'}))
    (d/'bad.parquet').write_bytes(b'PAR1 this is not parquet')
    (d/'folder.csv').mkdir()
    out['missing.csv'] = d/'missing.csv'
    return out


@pytest.fixture(scope='module')
def bad(tmp_path_factory)->dict:
    return malformed_files(tmp_path_factory.mktemp('malformed'))

runner = CliRunner()

def _check(args:list, ok_codes=(0, 1, 2), one_line:bool=True):
    "Run the command in process; it must end by its own exit (no exception escaped), a refusal in one line of error."
    r = runner.invoke(app, [str(a) for a in args])
    where = ' '.join(map(str, args))
    assert r.exception is None or isinstance(r.exception, SystemExit), f"{where}: {type(r.exception).__name__}: {r.exception}"
    assert r.exit_code in ok_codes, (where, r.exit_code, r.output[-2000:])
    assert 'Traceback' not in r.output, (where, r.output[-2000:])
    if r.exit_code == 2 and one_line:  # a refusal: exactly one line, on stderr, that names the input
        err = [l for l in r.stderr.splitlines() if not l.startswith('note: ')]
        assert len(err) == 1 and err[0].startswith('error: '), (where, r.stderr)
    return r


def test_the_set_is_big_enough(bad):
    assert len(bad) >= 40


def test_data_validate_every_file(bad, tmp_path):
    "`data validate`, plain, --strict, --repair --out, and with a declared bar size: a report or one line for each file."
    for name, p in bad.items():
        r = _check(['data', 'validate', p])
        _check(['data', 'validate', p, '--strict'])
        _check(['data', 'validate', p, '--timeframe', '1h'])
        _check(['data', 'validate', p, '--repair', '--out', tmp_path/f'{p.stem}.parquet'])
        if r.exit_code == 0: assert r.stdout.startswith('Validation of '), (name, r.stdout)


EXPECTED = {  # the one line (or the finding) each case must produce
    'flipped_bit.csv.gz': 'cannot read the file: corrupted or truncated gzip file',
    'truncated.csv.gz': 'cannot read the file: corrupted or truncated gzip file',
    'flipped_bit.zip': 'cannot read the file: corrupted or truncated zip file',
    'truncated.zip': 'cannot read the file: corrupted or truncated zip file',
    'two_members.zip': 'a zip must hold exactly one CSV file, found 2',
    'excel.zip': 'an Excel workbook; save the sheet as CSV',
    'binary.csv': 'binary content, not a CSV or parquet file',
    'bad.parquet': 'unreadable parquet file',
    'folder.csv': 'folder.csv: not a file',
    'missing.csv': 'missing.csv: no such file',
    'not_bars_funding.csv': 'not an OHLCV bar file',
    'spike_1e300.csv': 'price_spike: 1 row with a price at least 10x away from the bars around it (first: 2017-05-07 21:00:00)',
    'wick_20x_down.csv': 'price_spike: 1 row with a price at least 10x away',
    'huge_volume.csv': 'implausible_value: 1 row with a value of 1e+24 or more (in volume)',
    'future_bars.csv': 'future_bars: ',
    'mixed_1h_then_15m.csv': 'mixed_bar_sizes: mixed bar sizes: the bar size changes from 1h to 15m at',
    'zero_volume_run.csv': 'warning:   zero_volume: 6 bar(s) with zero volume in 1 run(s)',
    'conflicting_duplicates.csv': 'conflicting_duplicates: 1 timestamp(s)',
    'utf16.csv': 'Validation of', 'utf16le_no_bom.csv': 'Validation of', 'latin1.csv': 'Validation of',
}

@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_data_validate_says_what_is_wrong(bad, name):
    r = _check(['data', 'validate', bad[name]])
    assert EXPECTED[name] in r.output, r.output


def test_flipped_gzip_bit_in_a_real_process(bad):
    "The issue's case exactly as a user runs it: today's zlib.error traceback is one line."
    r = subprocess.run([str(TRADEBOT), 'data', 'validate', str(bad['flipped_bit.csv.gz'])], capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout) == (2, '') and 'Traceback' not in r.stderr, r.stderr
    assert r.stderr.startswith(f"error: {bad['flipped_bit.csv.gz']}: cannot read the file: corrupted or truncated gzip file (") and r.stderr.count('\n') == 1


def test_features_build_every_file(bad, tmp_path):
    "`features build` on each file, and each file as an auxiliary series: features or one line."
    built = 0
    for name, p in bad.items():
        r = _check(['features', 'build', '--data', p, '--family', 'technical', '--out', tmp_path/'x.parquet'])
        built += r.exit_code == 0
        _check(['features', 'build', '--data', 'sample:EURUSD', '--family', 'sentiment', '--aux', f'fng={p}', '--out', tmp_path/'y.parquet'])
    assert built >= 5  # the readable files that need no repair beyond sorting and de-duplication do build
    r = _check(['features', 'build', '--data', bad['conflicting_duplicates.csv'], '--out', tmp_path/'z.parquet'])
    assert r.exit_code == 2 and 'the data has problems that no repair can fix: conflicting_duplicates' in r.stderr


def test_data_list_on_a_folder_of_malformed_files(bad, monkeypatch):
    "`data list` over the whole set: every file is listed as bars, an auxiliary series or skipped with its reason."
    monkeypatch.setenv('TRADEBOT_DATA_DIR', str(next(iter(bad.values())).parent))
    monkeypatch.setenv('TRADEBOT_SHARED_DATA_DIR', str(next(iter(bad.values())).parent/'nothing-here'))
    r = _check(['data', 'list'], ok_codes=(0,))
    assert max(map(len, r.stdout.splitlines())) <= 100
    assert 'flipped_bit.csv.gz: cannot read the file: corrupted or truncated gzip file' in r.stdout
    assert next(l for l in r.stdout.splitlines() if 'not_bars_funding.csv' in l).split()[:2] == ['not_bars_funding.csv', 'funding']  # a series, not a skipped file


def test_data_fetch_and_record_book_with_malformed_files(bad, tmp_path, monkeypatch):
    "Both network commands read a local file first: a malformed cache or book file is one line, before any network call."
    cache = tmp_path/'cache'
    cache.mkdir()
    (cache/'binance_BTC-USDT_1h.parquet').write_bytes((bad['bad.parquet']).read_bytes())
    monkeypatch.setenv('TRADEBOT_DATA_DIR', str(tmp_path))
    r = _check(['data', 'fetch', '--symbol', 'BTC/USDT', '--timeframe', '1h'], ok_codes=(2,))
    assert 'the cache is unreadable' in r.stderr
    for name in ('bad.parquet', 'binary.csv', 'folder.csv'):
        r = _check(['data', 'record-book', '--out', bad[name], '--count', '1'], ok_codes=(2,))


# `report` refuses bad data from inside the evaluation, whose message keeps the validation report's lines (one line there is
# the evaluation's to give: `tradebot.data.checked_bars` says it in one); what the command must never print is a traceback.
def test_report_refuses_a_malformed_file(bad, tmp_path):
    "One file through `report` (each run starts a kernel, ~15 s); --runslow drives the whole set."
    r = _check(['report', '--data', bad['flipped_bit.csv.gz'], '--out', tmp_path/'r', '--quiet'], ok_codes=(2,))
    assert r.stderr.startswith('error: ') and 'corrupted or truncated gzip file' in r.stderr, r.stderr


def test_report_parameter_and_out_paths(bad, tmp_path):
    "--params at a folder or a non-UTF-8 file, --out under a file: one line each, before any kernel starts."
    _check(['report', '--params', tmp_path], ok_codes=(2,))
    (latin := tmp_path/'p.yaml').write_bytes('name: caf\xe9\n'.encode('latin-1'))
    _check(['report', '--params', latin], ok_codes=(2,))
    _check(['report', '--out', bad['binary.csv']/'run'], ok_codes=(2,))
    _check(['report', '--out', bad['binary.csv']], ok_codes=(2,))


@pytest.mark.slow
def test_report_on_every_malformed_file(bad, tmp_path):
    for name, p in bad.items():
        r = _check(['report', '--data', p, '--out', tmp_path/name, '--quiet', '--name', 'm'], one_line=False)
        if name in EXPECTED and not EXPECTED[name].startswith(('Validation', 'warning')):  # refused, saying why
            assert r.exit_code == 2 and EXPECTED[name].split(': ')[0] in r.stderr, (name, r.stderr)
