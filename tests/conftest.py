"Shared fixtures: where the team's market data lives, the small real fixture that travels with the repository, and `--runslow`."
from pathlib import Path
import pytest
from tradebot.config import get_settings

SHARED = get_settings().shared_data_dir
FIXTURES = Path(__file__).parent/'data'

def pytest_addoption(parser):
    parser.addoption('--runslow', action='store_true', default=False, help='also run tests marked slow')

def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: long-running; run with --runslow (make test-slow)')

def pytest_collection_modifyitems(config, items):
    if config.getoption('--runslow'): return
    skip = pytest.mark.skip(reason='slow: run with --runslow (make test-slow)')
    for it in items:
        if 'slow' in it.keywords: it.add_marker(skip)

@pytest.fixture
def shared_data() -> Path:
    "The shared market data folder (full histories); skips the test, visibly, where this checkout has none."
    if SHARED is None or not Path(SHARED).is_dir(): pytest.skip(f'shared market data not found at {SHARED}')
    return Path(SHARED)

@pytest.fixture(scope='session')
def fixture_bars():
    "2,999 real Binance spot BTCUSDT 1h bars (2025-05-19 to 2025-09-21) with trades and taker columns: in every checkout, CI included."
    from tradebot.data import load_ohlcv
    return load_ohlcv(FIXTURES/'btcusdt_1h_2025.csv.gz')

@pytest.fixture(scope='session')
def fixture_aux():
    "The auxiliary series matching `fixture_bars`: Binance funding, the Fear & Greed index, and the example macro calendar."
    from tradebot.config import project_root
    from tradebot.data import load_aux
    return load_aux({'funding': FIXTURES/'funding_btcusdt_2025.csv', 'fng': FIXTURES/'fng_2025.csv',
                     'events': project_root()/'data'/'examples'/'macro_events.csv'})

@pytest.fixture(scope='session', autouse=True)
def reports_open_offline(tmp_path_factory):
    "After the session, every report.html any test wrote under pytest's temporary folder is checked: nothing fetched from the network."
    yield
    from tradebot.report import network_refs
    bad = {str(p): refs[:3] for p in Path(tmp_path_factory.getbasetemp()).rglob('report.html') if (refs := network_refs(p.read_text(errors='replace')))}
    assert not bad, f"reports that would load from the network: {bad}"

@pytest.fixture(scope='session', autouse=True)
def feature_cache_in_tmp(tmp_path_factory):
    "Features the tests build are cached under pytest's temporary folder (report kernels and CLI runs inherit it), not in the checkout's reports/cache/features."
    mp = pytest.MonkeyPatch()
    mp.setenv('TRADEBOT_FEATURE_CACHE_DIR', str(tmp_path_factory.mktemp('feature_cache')))
    yield
    mp.undo()
