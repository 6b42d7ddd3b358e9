"""Out-of-sample evidence for the ensembles: the evaluation's walk-forward on BTCUSDT and ETHUSDT 1h with every base
model and every ensemble (3 seeds), then log-loss, AUC, Brier, IC and hit rate per model from the predictions frame.

Not a timed benchmark: it prints the comparison and writes predictions and tables to benchmarks/out/evidence/.
Not under `make bench` (it runs for an hour on 2 shared cores). Usage: .venv/bin/python benchmarks/evidence/ensembles.py [NAME [TRAIN_WINDOW]] (parameter files in reports/params/)."""
import json, sys, time
from pathlib import Path
import pandas as pd, yaml
import tradebot.ensemble  # registers the ensemble kinds
from tradebot.evaluation import EvalConfig, run_evaluation
from tradebot.ensemble import compare_models, diversity

KINDS = ['lightgbm', 'xgboost', 'random_forest', 'extra_trees', 'logistic',
         'ensemble-vote', 'ensemble-weighted', 'ensemble-stack', 'ensemble-regime']
BASE, ENS = KINDS[:5], KINDS[5:]
TRAIN_WINDOW = 17520  # 2 years of hourly bars, rolling: keeps the 135 fits per symbol within the shared 2-core machine's time
if len(sys.argv) > 2: TRAIN_WINDOW = int(sys.argv[2])  # e.g. 8760 (one year)
out = Path('benchmarks/out/evidence'); out.mkdir(parents=True, exist_ok=True)

for name in sys.argv[1:2] or ['btc_1h', 'eth_1h']:
    p = yaml.safe_load(open(f'reports/params/{name}.yaml'))
    cfg = EvalConfig(**{**p, 'models': KINDS, 'n_seeds': 3, 'n_random': 10, 'train_window': TRAIN_WINDOW})
    t0 = time.time()
    res = run_evaluation(cfg, progress=True)
    wall = time.time() - t0
    pred = res.predictions
    name = f'{name}_w{TRAIN_WINDOW}'
    pred.to_parquet(out/f'{name}_pred.parquet')
    tab = compare_models(pred, KINDS)
    folds = compare_models(pred, KINDS, by_fold=True)
    money = res.models_table()[['sharpe', 'sharpe_mean', 'sharpe_std', 'total_return', 'break_even_cost_bps']]
    tab = tab.join(money)
    tab.to_csv(out/f'{name}_models.csv'); folds.to_csv(out/f'{name}_folds.csv')
    div = diversity(pred[[f'p__{k}__s{cfg.seed}' for k in ('lightgbm', 'xgboost', 'random_forest')]], pred.y)
    div.to_csv(out/f'{name}_diversity.csv', index=False)
    best_b = tab.loc[BASE, 'log_loss'].idxmin(); best_e = tab.loc[ENS, 'log_loss'].idxmin()
    summary = dict(name=name, wall_s=wall, n_oos=int(pred.y.notna().sum()), best_single=best_b, best_single_log_loss=tab.loc[best_b, 'log_loss'],
                   best_ensemble=best_e, best_ensemble_log_loss=tab.loc[best_e, 'log_loss'],
                   ensemble_beats_single=bool(tab.loc[best_e, 'log_loss'] < tab.loc[best_b, 'log_loss']),
                   prior_log_loss=tab.loc[best_b, 'log_loss_prior'])
    (out/f'{name}_summary.json').write_text(json.dumps(summary, indent=1))
    with pd.option_context('display.width', 250, 'display.max_columns', 40):
        print(f'\n== {name}: {wall/60:.1f} min, {summary["n_oos"]} labelled out-of-sample bars')
        print(tab[['log_loss', 'log_loss_mean', 'log_loss_std', 'log_loss_prior', 'auc', 'auc_mean', 'auc_std', 'brier', 'ic', 'ic_mean', 'ic_std',
                   'hit_rate', 'sharpe', 'sharpe_mean', 'sharpe_std']].round(4).to_string())
        print(div.round(3).to_string(index=False))
        print(json.dumps(summary, indent=1), flush=True)
