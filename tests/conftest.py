"Shared fixtures: where the team's market data lives, and the `--runslow` switch."
from pathlib import Path
import pytest
from tradebot.config import get_settings

SHARED = get_settings().shared_data_dir

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
    "The shared market data folder; skips the test, visibly, where this checkout has none."
    if SHARED is None or not Path(SHARED).is_dir(): pytest.skip(f'shared market data not found at {SHARED}')
    return Path(SHARED)
