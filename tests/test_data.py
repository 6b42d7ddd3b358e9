"Integration tests for `tradebot.data`: every shared bar file loads and validates; malformed files fail the documented way."
import gzip
from pathlib import Path
import numpy as np, pandas as pd, pytest
from tradebot.data import (BAR_COLS, EXTRA_COLS, DataError, ValidationError, aux_catalog, catalog, checked_bars, find_bar_files,
                           load_ohlcv, load_source, sample, save_bars, validate_ohlcv)

FULL = (*BAR_COLS, *EXTRA_COLS)
# path under ../shared/data: (rows, bar size, columns), rows as SOURCE.md states them
BAR_FILES = {
    'binance_spot_1h_2019_2026/BTCUSDT_1h.csv.gz': (65653, '1h', BAR_COLS),
    'binance_spot_1h_2019_2026/ETHUSDT_1h.csv.gz': (65653, '1h', BAR_COLS),
    'binance_spot_5m_15m_2024/BTC_USDT-5m.csv.gz': (76948, '5m', BAR_COLS),
    'binance_spot_5m_15m_2024/ETH_USDT-5m.csv.gz': (76948, '5m', BAR_COLS),
    'binance_spot_5m_15m_2024/BTC_USDT-15m.csv.gz': (25649, '15m', BAR_COLS),
    'binance_spot_5m_15m_2024/ETH_USDT-15m.csv.gz': (25649, '15m', BAR_COLS),
    'binance_um_perp_btcusdt_2025_2026/BTCUSDT-1h-futures.csv': (13848, '1h', FULL),
    'binance_um_perp_btcusdt_2025_2026/BTCUSDT-4h-futures.csv': (3462, '4h', FULL),
    'binance_spot_btcusdt_1h_fullcols_2025/BTCUSDT_1h.csv': (3000, '1h', FULL),
    'binance_btcusdt_15m_trades_and_funding_2019_2026/btcusdt_15m_spot.csv': (12136, '15m', (*BAR_COLS, 'quote_volume', 'trades')),
}
NON_BAR_FILES = [
    'binance_btcusdt_15m_trades_and_funding_2019_2026/funding_btcusdt.csv',
    'binance_btcusdt_15m_trades_and_funding_2019_2026/funding_multi_exchange.csv',
    'binance_um_perp_btcusdt_2025_2026/BTCUSDT-funding.csv',
    'btc_daily_open_interest_funding_unverified/funding_fee.csv',
    'btc_daily_open_interest_funding_unverified/open_interest.csv',
    'crypto_fear_greed_index_2018_2026/fng.csv',
    'crypto_news_headlines_2021_2022/cryptonews.csv',
    'crypto_news_headlines_2024/2024-04-05_30d_news_with_sentiment.csv',
    'crypto_news_headlines_2024/2024-05-18_30d_news_with_sentiment.csv',
]
AFTER_ALL = pd.Timestamp('2027-01-01', tz='UTC')  # as_of after every shared file ends: no bar can be partial
# the true, informational findings: Binance's flat zero-volume bars before outages, and moves beyond 50 robust sd
WARNINGS = {'binance_spot_1h_2019_2026/BTCUSDT_1h.csv.gz': ['zero_volume', 'outliers'],
            'binance_spot_1h_2019_2026/ETHUSDT_1h.csv.gz': ['zero_volume'],
            'binance_spot_5m_15m_2024/ETH_USDT-5m.csv.gz': ['outliers']}


# -- the shared market data ------------------------------------------------------------------------------------------

def test_every_shared_file_is_classified(shared_data):
    "A file added to ../shared/data must be listed above as bars or not, so none is ignored silently."
    found = {p.relative_to(shared_data).as_posix() for p in find_bar_files(shared_data)}
    assert found == set(BAR_FILES) | set(NON_BAR_FILES)


@pytest.mark.parametrize('rel', sorted(BAR_FILES))
def test_shared_bar_file_loads_and_validates(shared_data, rel):
    rows, tf, cols = BAR_FILES[rel]
    bars = load_ohlcv(shared_data/rel)
    assert (bars.index.name, str(bars.index.tz), list(bars.columns)) == ('ts', 'UTC', list(cols))
    assert (bars.dtypes == 'float64').all() and len(bars) == rows
    assert bars.attrs['source'] == str(shared_data/rel)
    r = validate_ohlcv(bars, tf, as_of=AFTER_ALL)  # the true bar size, declared, is accepted
    assert (r.timeframe, r.calendar, r.n_rows) == (tf, '24/7', rows)
    # only the long spot files have gaps: Binance's real maintenance outages
    assert [i.kind for i in r.issues] == (['gaps'] if rel.startswith('binance_spot_1h_2019_2026') else []), str(r)
    assert [w.kind for w in r.warnings] == WARNINGS.get(rel, []), str(r)


@pytest.mark.parametrize('rel', NON_BAR_FILES)
def test_shared_non_bar_file_is_refused(shared_data, rel):
    with pytest.raises(DataError, match='not an OHLCV bar file: missing required column') as e: load_ohlcv(shared_data/rel)
    assert str(shared_data/rel) in str(e.value) and 'found columns: ' in str(e.value)


def test_semicolon_news_file_names_its_real_columns(shared_data):
    with pytest.raises(DataError, match='found columns: date, sentiment, source, subject, text, title, url'):
        load_ohlcv(shared_data/'crypto_news_headlines_2021_2022'/'cryptonews.csv')


def test_spot_maintenance_gaps_are_reported_not_filled(shared_data):
    bars = load_ohlcv(shared_data/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz')
    r = validate_ohlcv(bars, repair=True, as_of=AFTER_ALL)
    gaps = r.issue('gaps')
    assert (gaps.count, gaps.details['missing_bars'], gaps.details['largest_gap_bars']) == (20, 59, 10)
    assert gaps.first[0] == pd.Timestamp('2019-03-12 02:00', tz='UTC')
    assert len(r.bars) == len(bars) and r.changes == []
    with pytest.raises(ValidationError, match=r'BTCUSDT_1h.csv.gz failed validation with 1 problem\(s\):\n  - gaps: 20 gap\(s\), 59 missing 1h bar\(s\)'):
        validate_ohlcv(bars, strict=True, as_of=AFTER_ALL)


def test_fullcols_last_bar_was_partial_when_saved(shared_data):
    "The file was committed at 02:37 UTC with the 02:00 bar in it: as of then, that bar had not closed."
    bars = load_ohlcv(shared_data/'binance_spot_btcusdt_1h_fullcols_2025'/'BTCUSDT_1h.csv')
    r = validate_ohlcv(bars, repair=True, as_of='2025-09-21 02:37:11+00:00')
    assert r.ok and len(r.bars) == 2999
    assert r.changes == ['dropped the partial last bar 2025-09-21 02:00:00 (1 row(s)): it closes at 2025-09-21 03:00:00, after as_of 2025-09-21 02:37:11']


def test_catalog_of_shared_data_lists_every_file(shared_data):
    cat, skipped = catalog(shared_data)
    assert len(cat) == len(BAR_FILES) + 2 and len(skipped) == len(NON_BAR_FILES)
    assert cat.path.tolist()[-2:] == ['sample:EURUSD', 'sample:GOOG']
    assert all('missing required column' in why for _, why in skipped)
    aux, rest = aux_catalog(skipped)  # every non-bar file in the shared data is an auxiliary series
    assert rest == [] and sorted(Path(p).relative_to(shared_data).as_posix() for p in aux.path) == sorted(NON_BAR_FILES)
    assert dict(zip(aux.path.map(lambda p: Path(p).name), aux.kind))['fng.csv'] == 'fng'


# -- what a run refuses and what it only reports, on the real files --------------------------------------------------

def test_btc_1h_run_is_not_refused_for_its_warnings(shared_data):
    "reports/params/btc_1h.yaml declares 1h: its findings are the tolerated gaps plus warnings, so the evaluation runs."
    from tradebot.evaluation import TOLERATED_ISSUES
    from tradebot.report import load_params
    from tradebot.config import project_root
    _, _, cfg = load_params(project_root()/'reports'/'params'/'btc_1h.yaml')
    bars = load_source(project_root()/cfg['data'])
    r = validate_ohlcv(bars, cfg['timeframe'], repair=True)  # what run_evaluation does
    assert [i.kind for i in r.issues if i.kind not in TOLERATED_ISSUES] == [] and len(r.warnings) == 2, str(r)
    zv = r.warning('zero_volume')
    assert (zv.count, zv.details['runs'], zv.first[0]) == (4, 4, pd.Timestamp('2019-06-07 21:00', tz='UTC'))
    assert len(checked_bars(bars, '1h')[0]) == len(bars)


def _evaluate(path, **kw):
    from tradebot.evaluation import EvalConfig, run_evaluation
    return run_evaluation(EvalConfig(data=str(path), **kw), progress=False)


def test_evaluation_refuses_mixed_bar_sizes(shared_data, tmp_path):
    "1h bars, then 15m bars of the same market: refused before any fit, naming where the size changes."
    b1 = load_ohlcv(shared_data/'binance_spot_1h_2019_2026'/'BTCUSDT_1h.csv.gz').loc['2024-01-01':'2024-03-31']
    b15 = load_ohlcv(shared_data/'binance_spot_5m_15m_2024'/'BTC_USDT-15m.csv.gz').loc['2024-04-01':'2024-04-30']
    p = save_bars(pd.concat([b1, b15]), tmp_path/'mixed.csv')
    with pytest.raises(DataError, match=r'mixed_bar_sizes: mixed bar sizes: the bar size changes from 1h to 15m at 2024-04-01 00:00:00'):
        _evaluate(p)
    with pytest.raises(DataError, match='declared bar size 1h disagrees with the data, whose bars are 15m apart'):
        _evaluate(p, timeframe='1h')


def test_evaluation_refuses_a_declared_bar_size_that_is_not_the_datas(tmp_path):
    "Daily GOOG declared as 1h would be annualised with 8,760 bars a year: refused, naming both sizes."
    with pytest.raises(DataError, match=r'declared bar size 1h disagrees with the data, whose bars are 1d apart'):
        _evaluate('sample:GOOG', timeframe='1h')
    with pytest.raises(DataError, match='declared bar size 1d disagrees'):
        validate_ohlcv(sample('EURUSD'), '1d')


def test_evaluation_refuses_a_price_spike_and_names_the_bar(tmp_path):
    eur = sample('EURUSD').iloc[:2000].copy()
    eur.iloc[1500, eur.columns.get_loc('close')] = 1e300
    eur.iloc[1500, eur.columns.get_loc('high')] = 1e300
    p = save_bars(eur, tmp_path/'spike.csv')
    with pytest.raises(DataError) as e: _evaluate(p)
    assert f'price_spike: 1 row with a price at least 10x away from the bars around it (first: {eur.index[1500]:%Y-%m-%d %H:%M:%S})' in str(e.value)
    r = validate_ohlcv(load_ohlcv(p), as_of=AFTER_ALL)
    assert r.issue('price_spike').first == [eur.index[1500]] and r.issue('implausible_value').count == 1


def test_evaluation_refuses_bars_from_the_future(tmp_path):
    "Epoch seconds read as the right unit but a clock a year ahead: the bars are in the future, not a partial last bar."
    eur = sample('EURUSD').iloc[:300]
    now = pd.Timestamp.now('UTC').floor('h')
    ahead = eur.set_axis(pd.date_range(now - pd.Timedelta(hours=100), periods=len(eur), freq='h', name='ts'))
    p = save_bars(ahead, tmp_path/'ahead.csv')
    r = validate_ohlcv(load_ohlcv(p))
    assert r.issue('future_bars').count in (199, 200) and r.issue('partial_last_bar') is None, str(r)
    assert validate_ohlcv(load_ohlcv(p), repair=True).changes == []  # not dropped as if one bar were still forming
    with pytest.raises(DataError, match=r'future_bars: 19\d rows dated after as_of'): _evaluate(p)


# -- malformed and unusual files -------------------------------------------------------------------------------------

HEAD = 'ts,open,high,low,close,volume\n'

def rows_of(bars:pd.DataFrame)->str:
    "CSV rows (no header) of real bars."
    return ''.join(f"{t:%Y-%m-%d %H:%M:%S},{o},{h},{l},{c},{v}\n" for t, (o, h, l, c, v) in zip(bars.index, bars[list(BAR_COLS)].to_numpy()))

@pytest.fixture
def eur():
    return sample('EURUSD').iloc[:24]

def write(tmp_path, name, text):
    (p := tmp_path/name).write_text(text)
    return p


def test_duplicates_exact_and_conflicting(tmp_path, eur):
    lines = rows_of(eur).splitlines(keepends=True)
    conflict = lines[9].rsplit(',', 1)[0] + ',999999.0\n'  # same time, other volume
    p = write(tmp_path, 'dups.csv', HEAD + ''.join(lines[:5] + [lines[4]] + lines[5:10] + [conflict] + lines[10:]))
    bars = load_ohlcv(p)
    assert len(bars) == 26  # loading keeps everything
    with pytest.raises(ValidationError) as e: validate_ohlcv(bars, strict=True, as_of=AFTER_ALL)
    msg = str(e.value)
    assert 'dups.csv failed validation with 2 problem(s)' in msg
    assert '  - duplicate_rows: 1 row repeating an earlier row exactly (same timestamp and values) (first: 2017-04-19 13:00:00)' in msg
    assert '  - conflicting_duplicates: 1 timestamp(s) appear more than once with different values (first: 2017-04-19 18:00:00)' in msg
    r = validate_ohlcv(bars, repair=True, as_of=AFTER_ALL)
    assert r.changes == ['dropped 1 exact duplicate row(s) (same timestamp and values): 2017-04-19 13:00:00']
    assert [i.kind for i in r.issues] == ['conflicting_duplicates'] and len(r.bars) == 25


def test_nan_is_loaded_then_reported(tmp_path, eur):
    lines = rows_of(eur).splitlines(keepends=True)
    lines[3] = ','.join(lines[3].split(',')[:4]) + ',,1413\n'  # empty close
    bars = load_ohlcv(write(tmp_path, 'nan.csv', HEAD + ''.join(lines)))
    assert np.isnan(bars.close.iloc[3])
    with pytest.raises(ValidationError, match=r"nan: 1 row with NaN or infinite 'close' \(first: 2017-04-19 12:00:00\)"):
        validate_ohlcv(bars, strict=True, as_of=AFTER_ALL)
    assert validate_ohlcv(bars, repair=True, as_of=AFTER_ALL).issue('nan').count == 1  # not repaired: ambiguous


def test_high_below_low(tmp_path, eur):
    bad = eur.copy()
    bad.iloc[6, bad.columns.get_loc('high')] = bad.low.iloc[6] - 0.001
    bars = load_ohlcv(write(tmp_path, 'hl.csv', HEAD + rows_of(bad)))
    with pytest.raises(ValidationError) as e: validate_ohlcv(bars, strict=True, as_of=AFTER_ALL)
    assert 'high_below_low: 1 row with high below low (first: 2017-04-19 15:00:00)' in str(e.value)
    assert 'high_below_open_close: 1 row with high below open or close (first: 2017-04-19 15:00:00)' in str(e.value)


def test_unsorted_is_repaired_and_recorded(tmp_path, eur):
    lines = rows_of(eur).splitlines(keepends=True)
    lines[5], lines[6] = lines[6], lines[5]
    bars = load_ohlcv(write(tmp_path, 'unsorted.csv', HEAD + ''.join(lines)))
    assert not bars.index.is_monotonic_increasing  # loading does not sort
    with pytest.raises(ValidationError, match=r'unsorted: 1 row earlier than the row before \(out of time order\) \(first: 2017-04-19 14:00:00\)'):
        validate_ohlcv(bars, strict=True, as_of=AFTER_ALL)
    r = validate_ohlcv(bars, repair=True, strict=True, as_of=AFTER_ALL)
    assert r.ok and r.bars.index.equals(eur.index)
    assert r.changes[0].startswith('sorted the rows into time order (1 row(s) were earlier than the row before them')


def test_epoch_ms_without_header(tmp_path):
    text = ''.join(f"{1735689600000 + i*3_600_000},{100+i},{102+i},{99+i},{101+i},{10+i}\n" for i in range(5))
    bars = load_ohlcv(write(tmp_path, 'ms.csv', text))
    assert bars.index[0] == pd.Timestamp('2025-01-01', tz='UTC') and len(bars) == 5
    assert validate_ohlcv(bars, as_of=AFTER_ALL).ok


def test_epoch_seconds_and_microseconds(tmp_path):
    s = load_ohlcv(write(tmp_path, 's.csv', 'timestamp,o,h,l,c,v\n1735689600,1,2,0.5,1.5,10\n'))
    us = load_ohlcv(write(tmp_path, 'us.csv', 'timestamp,o,h,l,c,v\n1735689600000000,1,2,0.5,1.5,10\n'))
    assert s.index.equals(us.index) and s.index[0] == pd.Timestamp('2025-01-01', tz='UTC')


def test_semicolon_delimited_with_decimal_commas(tmp_path):
    bars = load_ohlcv(write(tmp_path, 'semi.csv', 'Date;Open;High;Low;Close;Volume\n2024-01-01 00:00:00+01:00;1,0716;1,0722;1,07083;1,07219;1413\n'))
    assert bars.index[0] == pd.Timestamp('2023-12-31 23:00', tz='UTC')
    assert bars.iloc[0].tolist() == [1.0716, 1.0722, 1.07083, 1.07219, 1413.0]


def test_headerless_binance_12_columns(tmp_path):
    rows = ['1735689600000,93548.80,94449.20,93460.20,94363.60,5744.609,1735693199999,539615914.46460,105263,3278.334,308056781.54270,0',
            '1735693200000,94363.60,94363.70,93545.00,93588.00,3991.464,1735696799999,374890760.68150,83154,1523.590,143102585.09570,0']
    bars = load_ohlcv(write(tmp_path, 'BTCUSDT-1h-2025-01.csv', '\n'.join(rows) + '\n'))
    assert list(bars.columns) == list(FULL) and bars.trades.tolist() == [105263.0, 83154.0]
    gz = tmp_path/'k.csv.gz'
    gz.write_bytes(gzip.compress(('\n'.join(rows) + '\n').encode()))
    pd.testing.assert_frame_equal(load_ohlcv(gz), bars)


def test_partial_last_bar_dropped_and_recorded(tmp_path):
    now = pd.Timestamp.now('UTC').floor('h')
    as_of = now + pd.Timedelta(minutes=30)  # one fixed clock for both calls: the last bar is half formed
    idx = pd.date_range(end=now, periods=4, freq='h')
    text = HEAD + ''.join(f"{t.isoformat()},1,2,0.5,1.5,10\n" for t in idx)
    bars = load_ohlcv(write(tmp_path, 'live.csv', text))
    with pytest.raises(ValidationError, match=r'partial_last_bar: the last bar .* it may still have been forming'):
        validate_ohlcv(bars, strict=True, as_of=as_of)
    r = validate_ohlcv(bars, repair=True, as_of=as_of)
    assert r.ok and len(r.bars) == 3 and r.changes[0].startswith(f'dropped the partial last bar {now.tz_localize(None)} (1 row(s))')


def test_gap_is_reported_never_filled(tmp_path, eur):
    bars = load_ohlcv(write(tmp_path, 'gap.csv', HEAD + rows_of(eur.drop(eur.index[10:13]))))
    r = validate_ohlcv(bars, repair=True, as_of=AFTER_ALL)
    assert (r.issue('gaps').count, r.issue('gaps').details['missing_bars'], len(r.bars), r.changes) == (1, 3, 21, [])


@pytest.mark.parametrize('name, content, message', [
    ('empty.csv', '', 'empty.csv: empty file'),
    ('blank.csv', '\n\n  \n', 'blank.csv: empty file'),
    ('header_only.csv', HEAD, 'no rows under the header'),
    ('bad_number.csv', HEAD + '2024-01-01,1,2,0.5,1.5,10\n2024-01-01 01:00,1,2,0.5,1.5,lots\n',
     "bad_number.csv: column 'volume' has a value that is not a number: 'lots' at line 3"),
    ('bad_ts.csv', HEAD + '2024-01-01,1,2,0.5,1.5,10\n2024-13-45,1,2,0.5,1.5,10\n',
     "bad_ts.csv: column 'ts' has a value that is not a timestamp: '2024-13-45' at line 3"),
    ('missing_ts.csv', HEAD + '2024-01-01,1,2,0.5,1.5,10\n,1,2,0.5,1.5,10\n', "column 'ts' has a missing timestamp at line 3"),
    ('row_numbers.csv', 'ts,open,high,low,close,volume\n1,1,2,0.5,1.5,10\n2,1,2,0.5,1.5,10\n', 'is not a plausible epoch timestamp'),
    ('ragged.csv', HEAD + '2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,2,0.5,1.5,10,7\n', 'malformed CSV: Error tokenizing data. C error: Expected 6 fields in line 3, saw 7'),
    ('seven.csv', '1735689600000,1,2,0.5,1.5,10,3\n', 'no header row and 7 columns'),
    ('ambiguous.csv', 'date,open,high,low,close,volume\n05/06/2024,1,2,0.5,1.5,10\n05/06/2024,1,2,0.5,1.5,10\n', 'day and month order unknown'),
])
def test_malformed_files_raise_data_error(tmp_path, name, content, message):
    with pytest.raises(DataError) as e: load_ohlcv(write(tmp_path, name, content))
    assert message in str(e.value) and name in str(e.value)


def test_binary_truncated_and_missing_files(tmp_path):
    (tmp_path/'img.csv').write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DataError, match='img.csv: binary content'): load_ohlcv(tmp_path/'img.csv')
    (tmp_path/'cut.csv.gz').write_bytes(gzip.compress((HEAD + '2024-01-01,1,2,0.5,1.5,10\n').encode())[:-10])
    with pytest.raises(DataError, match='cut.csv.gz: cannot read the file'): load_ohlcv(tmp_path/'cut.csv.gz')
    (tmp_path/'bad.parquet').write_bytes(b'PAR1 not really')
    with pytest.raises(DataError, match='bad.parquet: unreadable parquet file'): load_ohlcv(tmp_path/'bad.parquet')
    with pytest.raises(DataError, match='nope.csv: no such file'): load_ohlcv(tmp_path/'nope.csv')
    with pytest.raises(DataError, match='no such file'): load_source('data/does-not-exist.csv')


def test_parquet_roundtrip_and_source_stamp(tmp_path, eur):
    eur.to_parquet(tmp_path/'eur.parquet')
    got = load_source(tmp_path/'eur.parquet')
    pd.testing.assert_frame_equal(got, eur, check_freq=False)
    assert got.attrs['source'] == str(tmp_path/'eur.parquet') and len(got.attrs['sha256']) == 64


def test_catalog_reports_skipped_files_with_reasons(tmp_path, eur):
    write(tmp_path, 'ok.csv', HEAD + rows_of(eur))
    write(tmp_path, 'funding.csv', 'fundingTime,fundingRate\n1735689600000,0.0001\n')
    (tmp_path/'.hidden').mkdir()
    write(tmp_path/'.hidden', 'x.csv', HEAD + rows_of(eur))
    cat, skipped = catalog(tmp_path, samples=False)
    assert cat[['rows', 'timeframe', 'calendar']].values.tolist() == [[24, '1h', '24/7']]
    assert [(p.name, why.split(';')[0]) for p, why in skipped] == [
        ('funding.csv', 'not an OHLCV bar file: missing required column(s) a timestamp (ts, date, time, timestamp or open_time), open, high, low, close, volume')]
