"""Mutation testing for the modules whose bugs cost money: `make mutate` (not run in CI).

Every mutant is one small change on one line of an exported module (`tradebot/<module>.py`): a comparison
flipped (`<` to `<=`, `==` to `!=`), an arithmetic or augmented operator swapped (`+`/`-`, `*`/`/`), an integer
moved by one or a float changed, `and`/`or` swapped, a unary minus or `not` dropped, `max`/`min` or
`np.maximum`/`np.minimum` swapped, `side='left'`/`'right'` swapped, or a `.shift()`, `.fillna()`, `.clip()`,
`.abs()`, `.dropna()` call removed. The list is a pure function of the source, so it is reproducible
(`--list` prints it); each mutant has an id made of the module and a hash of the original and mutated line,
which survives edits elsewhere in the file.

The same change is applied to the notebook cell the line was exported from (the notebooks test their own copy
of the code), and then the tests that exercise the module run against the mutant: the tests/ files first (with
`-x`), then the notebook(s) as nbdev-test runs them. The backtest's numba kernels run un-jitted
(`NUMBA_DISABLE_JIT=1`), so a mutant in a kernel costs no compilation; the labels kernel is small and compiled.
A mutant is killed when a test fails (or the run times out), survives
when everything passes. Mutants judged equivalent (no test could tell them apart) are listed with a reason in
`tools/mutate_equivalent.txt` and left out of the score.

To keep the run short a worker process imports the heavy libraries once and forks a child per mutant; the
tests run in a temporary copy of the repository, so the work tree is never touched.

    python tools/mutate.py                      # every module, 2 workers
    python tools/mutate.py --module metrics     # one module
    python tools/mutate.py --list               # print the mutants, run nothing
    python tools/mutate.py --ids ID ID ...      # only these mutants
"""
from __future__ import annotations
import argparse, ast, hashlib, json, os, re, shutil, signal, sys, tempfile, time
from dataclasses import dataclass, asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# which tests exercise each module: pytest files (run first, `-x`; optional `-k` filter) and notebooks
# Which tests exercise each module, in the order they run (a mutant stops at its first failure): the fast value
# tests, then the module's notebook, then the slower integration tests (with an optional `-k` filter).
TESTS = {
    # labels keeps its numba kernel jitted: it has no on-disk cache, so each run compiles the mutant (about 2 s), and
    # un-jitted it would walk thousands of barriers in Python; the backtest kernels run un-jitted (their cache is
    # keyed to the file, so every mutant would recompile the parallel sweep for longer than the tests take)
    'labels':     dict(fast=['tests/test_labels_edges.py'], nbs=['nbs/03_labels.ipynb'], rest=['tests/test_labels_validation.py'],
                       k='label or barrier or uniqueness or vol or forward or meta or dead', jit=True),
    'validation': dict(fast=['tests/test_validation_edges.py'], nbs=['nbs/04_validation.ipynb'], rest=['tests/test_labels_validation.py'],
                       k='not barrier and not uniqueness and not label_frames'),
    'backtest':   dict(fast=['tests/test_backtest_values.py'], nbs=['nbs/08_backtest.ipynb'], rest=['tests/test_backtest.py'], k=None),
    'metrics':    dict(fast=['tests/test_metrics_values.py'], nbs=['nbs/09_metrics.ipynb'], rest=['tests/test_backtest.py'], k=None),
}
EQUIV = ROOT/'tools'/'mutate_equivalent.txt'
# The full lists are large (about 1,200 mutants, hours on 2 cores), so `make mutate` runs a fixed sample: a
# mutant is in it when the hash in its id falls in 1/RATE of the range (stable under edits elsewhere), and the
# operators behind known leaks (a dropped `.shift()`, a flipped `side=`) are always in. `--all` runs everything.
RATE = dict(labels=4, validation=4, backtest=16, metrics=12)
ALWAYS = ('drop .shift()', "'left' -> 'right'", "'right' -> 'left'")
DROP_CALLS = {'shift', 'fillna', 'clip', 'abs', 'dropna'}
CMP = {ast.Lt: ('<', '<='), ast.LtE: ('<=', '<'), ast.Gt: ('>', '>='), ast.GtE: ('>=', '>'), ast.Eq: ('==', '!='), ast.NotEq: ('!=', '==')}
BIN = {ast.Add: ('+', '-'), ast.Sub: ('-', '+'), ast.Mult: ('*', '/'), ast.Div: ('/', '*'), ast.Pow: ('**', '*'), ast.FloorDiv: ('//', '/')}
AUG = {ast.Add: ('+=', '-='), ast.Sub: ('-=', '+='), ast.Mult: ('*=', '/='), ast.Div: ('/=', '*='), ast.BitAnd: ('&=', '|='), ast.BitOr: ('|=', '&=')}

@dataclass
class Mutant:
    id: str; module: str; line: int; op: str; before: str; after: str

# ---------------------------------------------------------------- generating mutants
def _skip_nodes(tree)->set[int]:
    "Nodes whose constants are not logic: docstrings, f-strings, raise messages, annotations, argument defaults."
    skip = set()
    def mark(n):
        for m in ast.walk(n): skip.add(id(m))
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Module)) and n.body and isinstance(n.body[0], ast.Expr) \
           and isinstance(n.body[0].value, ast.Constant) and isinstance(n.body[0].value.value, str): mark(n.body[0])
        if isinstance(n, (ast.JoinedStr, ast.Raise)): mark(n)
        if isinstance(n, ast.arg) and n.annotation: mark(n.annotation)
        if isinstance(n, ast.FunctionDef):
            if n.returns: mark(n.returns)
            for d in n.args.defaults + [d for d in n.args.kw_defaults if d is not None]: mark(d)
            for dec in n.decorator_list: mark(dec)
        if isinstance(n, ast.AnnAssign): mark(n)       # dataclass fields: defaults are policy, not logic
    return skip

def _gap_replace(line:bytes, a:int, b:int, old:str, new:str)->bytes|None:
    "Replace the operator token `old` in line[a:b] (the text between two operands)."
    seg = line[a:b].decode()
    hits = [m.start() for m in re.finditer(re.escape(old), seg)]
    hits = [h for h in hits if not (old in ('<', '>', '*', '/') and seg[h:h+2] in ('<=', '>=', '**', '//'))
            and not (old in ('*', '/') and h > 0 and seg[h-1:h+1] in ('**', '//'))]
    if len(hits) != 1: return None
    h = hits[0]
    return line[:a] + (seg[:h] + new + seg[h+len(old):]).encode() + line[b:]

def _num(v):
    if isinstance(v, bool): return None
    if isinstance(v, int): return v - 1 if v > 0 else 1
    if isinstance(v, float): return 1.0 if v == 0 else 0.0 if v == 1 else v*2
    return None

def _mutations(tree, lines:list[bytes], skip:set[int]):
    "Yield (line number, op, new line) for every single-line mutation of the module."
    for n in ast.walk(tree):
        if id(n) in skip or not hasattr(n, 'lineno') or n.lineno != getattr(n, 'end_lineno', None): continue
        L = n.lineno; src = lines[L-1]
        def seg(a, b): return src[a:b]
        if isinstance(n, ast.Compare) and len(n.ops) == 1 and type(n.ops[0]) in CMP:
            old, new = CMP[type(n.ops[0])]
            r = _gap_replace(src, n.left.end_col_offset, n.comparators[0].col_offset, old, new)
            if r: yield L, f'{old} -> {new}', r
        elif isinstance(n, ast.BinOp) and type(n.op) in BIN:
            old, new = BIN[type(n.op)]
            r = _gap_replace(src, n.left.end_col_offset, n.right.col_offset, old, new)
            if r: yield L, f'{old} -> {new}', r
        elif isinstance(n, ast.AugAssign) and type(n.op) in AUG:
            old, new = AUG[type(n.op)]
            r = _gap_replace(src, n.target.end_col_offset, n.value.col_offset, old, new)
            if r: yield L, f'{old} -> {new}', r
        elif isinstance(n, ast.BoolOp) and len(n.values) == 2:
            old, new = ('and', 'or') if isinstance(n.op, ast.And) else ('or', 'and')
            r = _gap_replace(src, n.values[0].end_col_offset, n.values[1].col_offset, old, new)
            if r: yield L, f'{old} -> {new}', r
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.Not)):
            yield L, 'drop unary ' + ('-' if isinstance(n.op, ast.USub) else 'not'), \
                  src[:n.col_offset] + seg(n.operand.col_offset, n.operand.end_col_offset) + src[n.end_col_offset:]
        elif isinstance(n, ast.Constant) and (new := _num(n.value)) is not None:
            yield L, f'{n.value!r} -> {new!r}', src[:n.col_offset] + repr(new).encode() + src[n.end_col_offset:]
        elif isinstance(n, ast.Constant) and n.value in ('left', 'right'):
            new = 'right' if n.value == 'left' else 'left'
            yield L, f"'{n.value}' -> '{new}'", src[:n.col_offset] + f"'{new}'".encode() + src[n.end_col_offset:]
        elif isinstance(n, ast.Constant) and isinstance(n.value, bool):
            yield L, f'{n.value} -> {not n.value}', src[:n.col_offset] + str(not n.value).encode() + src[n.end_col_offset:]
        elif isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Attribute) and f.attr in DROP_CALLS:
                yield L, f'drop .{f.attr}()', src[:n.col_offset] + seg(f.value.col_offset, f.value.end_col_offset) + src[n.end_col_offset:]
            elif isinstance(f, ast.Name) and f.id in ('max', 'min'):
                new = 'min' if f.id == 'max' else 'max'
                yield L, f'{f.id} -> {new}', src[:f.col_offset] + new.encode() + src[f.end_col_offset:]
            elif isinstance(f, ast.Attribute) and f.attr in ('maximum', 'minimum'):
                new = 'minimum' if f.attr == 'maximum' else 'maximum'
                a = f.end_col_offset - len(f.attr)
                yield L, f'{f.attr} -> {new}', src[:a] + new.encode() + src[f.end_col_offset:]

def in_sample(m:Mutant)->bool: return m.op in ALWAYS or int(m.id.split(':')[1], 16) % RATE[m.module] == 0

def mutants(module:str)->list[Mutant]:
    "Every mutant of `tradebot/<module>.py`, in line order (deterministic)."
    text = (ROOT/'tradebot'/f'{module}.py').read_text()
    tree = ast.parse(text); lines = text.encode().split(b'\n')
    out, seen = [], set()
    for L, op, new in sorted(_mutations(tree, lines, _skip_nodes(tree)), key=lambda t: (t[0], t[1], t[2])):
        before, after = lines[L-1].decode(), new.decode()
        if before == after: continue
        mid = f"{module}:{hashlib.sha1((before.strip() + '|' + after.strip()).encode()).hexdigest()[:8]}"
        if mid in seen: continue                            # the same change twice on a line (e.g. repeated token)
        seen.add(mid)
        src2 = b'\n'.join(lines[:L-1] + [new] + lines[L:]).decode()
        try: ast.parse(src2)
        except SyntaxError: continue
        out.append(Mutant(mid, module, L, op, before, after))
    return out

# ---------------------------------------------------------------- applying a mutant to the notebook too
def _cell_of_line(module:str, L:int)->tuple[str, str, int]|None:
    "(notebook path, cell id, offset of the line within the cell's exported lines) of line L of the module."
    lines = (ROOT/'tradebot'/f'{module}.py').read_text().split('\n')
    for i in range(L-1, -1, -1):
        m = re.match(r'# %% \.\./(nbs/\S+\.ipynb) #(\w+)', lines[i])
        if m: return m.group(1), m.group(2), L - 1 - (i + 1)
    return None

def mutate_notebook(nb_json:dict, cell_id:str, offset:int, before:str, after:str)->bool:
    "Replace the line at `offset` among the cell's non-directive lines; False if the cell does not match."
    for c in nb_json['cells']:
        if c.get('id') != cell_id: continue
        src = ''.join(c['source']).split('\n')
        idx = [i for i, s in enumerate(src) if not s.startswith('#|')]
        if offset >= len(idx) or src[idx[offset]] != before: return False
        src[idx[offset]] = after
        text = '\n'.join(src)
        c['source'] = [l + '\n' for l in text.split('\n')[:-1]] + [text.split('\n')[-1]]
        return True
    return False

# ---------------------------------------------------------------- running the tests
def _prepare_copy(dest:Path, tests_from:str|None=None):
    "A copy of what the tests need: package, notebooks, tests, configuration (tests and notebooks from a git revision if given)."
    for d in ('tradebot', 'nbs', 'tests'):
        shutil.copytree(ROOT/d, dest/d, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints'))
    if tests_from:
        import subprocess
        for d in ('nbs', 'tests'): shutil.rmtree(dest/d)
        tar = subprocess.run(['git', '-C', str(ROOT), 'archive', tests_from, 'nbs', 'tests'], check=True, capture_output=True).stdout
        subprocess.run(['tar', '-x', '-C', str(dest)], input=tar, check=True)
    shutil.copy(ROOT/'pyproject.toml', dest/'pyproject.toml')
    (dest/'data').mkdir(exist_ok=True)

def _child(repo:Path, m:Mutant, nb_files:list[Path], timeout:float):
    "In the forked child: run the module's tests against the mutant; exit 0 if they all pass."
    os.chdir(repo)
    sys.path.insert(0, str(repo))
    import tradebot, importlib, numba
    numba.config.DISABLE_JIT = 0 if TESTS[m.module].get('jit') else 1
    tradebot.__path__[:] = [str(repo/'tradebot')]     # the worker imported the package from the work tree: point it here
    mod = importlib.import_module(f'tradebot.{m.module}')
    if not mod.__file__.startswith(str(repo)): os._exit(4)
    devnull = os.open(os.devnull, os.O_WRONLY); os.dup2(devnull, 1); os.dup2(devnull, 2)
    import pytest
    from nbdev.test import test_nb
    t = TESTS[m.module]
    # plugins are not auto-loaded (that costs seconds per mutant); the tests need only hypothesis's
    base = ['-x', '-q', '-p', 'no:cacheprovider', '-p', 'hypothesis.extra.pytestplugin', '--hypothesis-seed=0', '-W', 'ignore',
            '--rootdir', str(repo)]
    fast = [f for f in t['fast'] if (repo/f).exists()]
    if fast and pytest.main(base + fast) != 0: os._exit(1)
    for nb in nb_files:
        ok, _ = test_nb(nb, skip_flags=['notest', 'slow'], showerr=False)
        if not ok: os._exit(1)
    rest = [f for f in t['rest'] if (repo/f).exists()]
    if rest and pytest.main(base + rest + (['-k', t['k']] if t['k'] else [])) != 0: os._exit(1)
    os._exit(0)

def _worker(wid:int, todo:list[Mutant], timeout:float, q, tests_from=None):
    repo = Path(tempfile.mkdtemp(prefix=f'tradebot-mutate-{wid}-'))/'repo'
    repo.mkdir(parents=True); _prepare_copy(repo, tests_from)
    try:
        for m in todo:
            mod = repo/'tradebot'/f'{m.module}.py'; orig = mod.read_text()
            lines = orig.split('\n'); assert lines[m.line-1] == m.before, m
            mod.write_text('\n'.join(lines[:m.line-1] + [m.after] + lines[m.line:]))
            nb_files, saved = [], {}
            loc = _cell_of_line(m.module, m.line)
            for nb in TESTS[m.module]['nbs']:
                p = repo/nb; saved[p] = p.read_text(); j = json.loads(saved[p])
                if loc and loc[0] == nb and not mutate_notebook(j, loc[1], loc[2], m.before, m.after):
                    print(f'warning: {m.id} not found in {nb} cell {loc[1]}', file=sys.stderr)
                p.write_text(json.dumps(j)); nb_files.append(p)
            shutil.rmtree(repo/'.hypothesis', ignore_errors=True)
            t0 = time.time(); pid = os.fork()
            if pid == 0:
                try: _child(repo, m, nb_files, timeout)
                finally: os._exit(3)
            status = None
            while time.time() - t0 < timeout:
                r, st = os.waitpid(pid, os.WNOHANG)
                if r:
                    code = os.waitstatus_to_exitcode(st)
                    if code == 4: raise RuntimeError(f'{m.id}: the tests would not import the mutated module')
                    status = 'survived' if code == 0 else 'killed'; break
                time.sleep(0.1)
            if status is None:
                os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0); status = 'timeout'
            mod.write_text(orig)
            for p, s in saved.items(): p.write_text(s)
            q.put(dict(asdict(m), status=status, seconds=round(time.time() - t0, 1)))
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)
        q.put(None)

def _preload():
    "Import the heavy libraries once in the worker, so each forked child starts warm (never the mutated modules)."
    import numpy, pandas, scipy.stats, sklearn.model_selection, sklearn.neighbors, sklearn.preprocessing, numba  # noqa
    import hypothesis, pytest, backtesting, empyrical, matplotlib.pyplot  # noqa
    import IPython, execnb.shell, nbdev.test, fastcore.test  # noqa
    import tradebot.config, tradebot.data  # noqa
    for m in ('labels', 'validation', 'backtest', 'metrics'): assert f'tradebot.{m}' not in sys.modules, m

def equivalents()->dict[str, str]:
    "Mutant id -> reason, from tools/mutate_equivalent.txt (`id  # description -- reason` per line)."
    out = {}
    if EQUIV.exists():
        for l in EQUIV.read_text().splitlines():
            if l.strip() and not l.startswith('#'): mid, _, why = l.partition(' '); out[mid.strip()] = why.strip()
    return out

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--module', action='append', choices=list(TESTS), help='module(s) to mutate (default: all four)')
    ap.add_argument('--ids', nargs='*', help='run only these mutant ids')
    ap.add_argument('--list', action='store_true', help='print the mutants and exit')
    ap.add_argument('--all', action='store_true', help='every mutant, not the fixed sample')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--timeout', type=float, default=300, help='seconds per mutant before it counts as killed (timeout)')
    ap.add_argument('--tests-from', default=None, help='take tests/ and nbs/ from this git revision (e.g. to score the old tests)')
    ap.add_argument('--json', type=Path, default=None, help='write every result here')
    a = ap.parse_args(argv)
    mods = a.module or list(TESTS)
    allm = [m for mod in mods for m in mutants(mod)]
    if a.ids: allm = [m for m in allm if m.id in set(a.ids)]
    elif not a.all: allm = [m for m in allm if in_sample(m)]
    if a.list:
        for m in allm: print(f'{m.id}  {m.module}.py:{m.line}  {m.op:<22} {m.after.strip()}')
        print(f'{len(allm)} mutants'); return 0
    os.environ['NUMBA_DISABLE_JIT'] = '1'; os.environ['MPLBACKEND'] = 'Agg'; os.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = '1'
    os.environ.setdefault('TRADEBOT_SHARED_DATA_DIR', str((ROOT/'..'/'shared'/'data').resolve()))
    sys.path.insert(0, str(ROOT))
    import multiprocessing as mp
    _preload()
    ctx = mp.get_context('fork'); q = ctx.Queue()
    chunks = [allm[i::a.workers] for i in range(a.workers)]
    procs = [ctx.Process(target=_worker, args=(i, c, a.timeout, q, a.tests_from)) for i, c in enumerate(chunks) if c]
    for p in procs: p.start()
    res, done, t0 = [], 0, time.time()
    while done < len(procs):
        r = q.get()
        if r is None: done += 1; continue
        res.append(r)
        print(f"[{len(res)}/{len(allm)} {time.time()-t0:5.0f}s] {r['status']:<8} {r['id']}  {r['module']}.py:{r['line']}  {r['op']:<20} {r['after'].strip()[:90]}", flush=True)
    for p in procs: p.join()
    eq = equivalents()
    print('\nmodule       mutants  killed  survived  equivalent  score (killed / non-equivalent)')
    for mod in mods:
        rs = [r for r in res if r['module'] == mod]
        if not rs: continue
        k = sum(r['status'] != 'survived' for r in rs); e = sum(r['status'] == 'survived' and r['id'] in eq for r in rs)
        s = len(rs) - k - e
        print(f"{mod:<12} {len(rs):7d}  {k:6d}  {s:8d}  {e:10d}  {k/max(k+s, 1):6.1%}")
    surv = sorted([r for r in res if r['status'] == 'survived'], key=lambda r: (r['module'], r['line']))
    if surv: print('\nsurvivors (E: listed as equivalent in tools/mutate_equivalent.txt):')
    for r in surv:
        print(f"{'E' if r['id'] in eq else ' '} {r['id']}  {r['module']}.py:{r['line']}  {r['op']:<20} {r['after'].strip()}")
    if a.json: a.json.write_text(json.dumps(res, indent=1))
    return 0

if __name__ == '__main__': sys.exit(main())
