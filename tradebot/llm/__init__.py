"""The LLM decision policy: client, record/replay, cost ledger, contamination control (nbs/15a-15e). Hand-written, not generated.

Importing this package registers the policy 'llm' (`tradebot.llm.policy.llm_policy`) with the trading loop when the loop is installed."""
from importlib.util import find_spec as _find_spec

if _find_spec('tradebot.agents.loop') is not None:
    from tradebot.agents.loop import register_policy as _register
    from tradebot.llm.policy import llm_policy as _llm_policy
    _register('llm', _llm_policy)
