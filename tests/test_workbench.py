"The workbench around the code: make's install stamp, nbdev's hooks and docs command, the CLI's start-up imports."
import os, shutil, subprocess, sys
from pathlib import Path
import pytest
from tradebot.config import project_root

ROOT = project_root()
BIN = Path(sys.executable).parent

def _git(*a, cwd): return subprocess.run(['git', *a], cwd=cwd, capture_output=True, text=True)

def test_make_does_not_reinstall_for_a_rewritten_but_equal_pyproject(tmp_path):
    "nbdev-export rewrites pyproject.toml with the same content: the stamp follows the content, so nothing is reinstalled."
    if not (ROOT/'.venv'/'.installed').exists(): pytest.skip('no .venv/.installed: make install has not run here')
    for f in ('Makefile', 'pyproject.toml'): shutil.copy(ROOT/f, tmp_path/f)
    (tmp_path/'.venv').mkdir()
    (tmp_path/'.venv'/'.installed').write_text(subprocess.run(['sha256sum', 'pyproject.toml'], cwd=tmp_path, capture_output=True, text=True).stdout.split()[0] + '\n')
    os.utime(tmp_path/'pyproject.toml', (2e9, 2e9))  # newer than the stamp
    r = subprocess.run(['make', '-n', 'install'], cwd=tmp_path, capture_output=True, text=True)
    assert 'pip install' not in r.stdout, r.stdout
    (tmp_path/'pyproject.toml').write_text((tmp_path/'pyproject.toml').read_text() + '\n# a real change\n')
    r = subprocess.run(['make', '-n', 'install'], cwd=tmp_path, capture_output=True, text=True)
    assert 'pip install' in r.stdout, r.stdout

def test_nbdev_install_hooks_leaves_a_clone_clean(tmp_path):
    "What nbdev-install-hooks writes into the repository is committed, so `make test`'s clean check still passes after it."
    if _git('rev-parse', '--git-dir', cwd=ROOT).returncode: pytest.skip('not a git checkout')
    if _git('status', '--porcelain', '--untracked-files=no', '--', '.gitattributes', '.gitconfig', cwd=ROOT).stdout.strip():
        pytest.skip('.gitattributes or .gitconfig has uncommitted changes: the clone would not see them')
    clone = tmp_path/'clone'
    assert _git('clone', '-q', '--no-hardlinks', str(ROOT), str(clone), cwd=tmp_path).returncode == 0
    env = {**os.environ, 'HOME': str(tmp_path/'home'), 'PATH': f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    (tmp_path/'home').mkdir()
    r = subprocess.run([str(BIN/'nbdev-install-hooks')], cwd=clone, capture_output=True, text=True, env=env)
    assert r.returncode == 0 and 'Hooks are installed' in r.stdout, r.stdout + r.stderr
    assert _git('status', '--porcelain', cwd=clone).stdout == ''
    # and the driver .gitattributes names is the one git now knows
    assert _git('config', '--get', 'merge.jupyternotebook.driver', cwd=clone).stdout.startswith('nbdev-merge')
    assert 'merge=jupyternotebook' in (clone/'.gitattributes').read_text()

def test_nbdev_docs_without_quarto_says_so_in_one_line(tmp_path):
    if not (BIN/'.nbdev-docs.real').exists(): pytest.skip('the nbdev-docs guard is installed by make install')
    if shutil.which('quarto'): pytest.skip('Quarto is installed here')
    before = _git('status', '--porcelain', '--untracked-files=all', cwd=ROOT).stdout
    r = subprocess.run([str(BIN/'nbdev-docs')], cwd=ROOT, capture_output=True, text=True, env={**os.environ, 'PATH': '/usr/bin:/bin'})
    assert r.returncode == 1 and r.stdout == ''
    assert len(r.stderr.strip().splitlines()) == 1 and 'Quarto' in r.stderr and 'deploy.yaml' in r.stderr, r.stderr
    assert _git('status', '--porcelain', '--untracked-files=all', cwd=ROOT).stdout == before

def test_cli_imports_no_heavy_module():
    "`tradebot --help` must start fast: importing the CLI pulls in no pandas, scikit-learn, evaluation or report (benchmarks/cli.py times it)."
    r = subprocess.run([sys.executable, '-c', 'import sys, tradebot.cli; print(" ".join(sorted(sys.modules)))'], capture_output=True, text=True)
    mods = set(r.stdout.split())
    assert not mods & {'pandas', 'numpy', 'sklearn', 'scipy', 'matplotlib', 'tradebot.evaluation', 'tradebot.report', 'tradebot.features', 'lightgbm'}, sorted(mods & {'pandas', 'numpy', 'sklearn'})
