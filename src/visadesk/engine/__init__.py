"""The screening engine: one trip against one rule set, with a trace of every rule."""

from visadesk.engine.derived import derive_facts
from visadesk.engine.plan import RulesNotInForceError
from visadesk.engine.result import CategoryVerdict, Check, FlagHit, Outcome, ScreeningResult, Status
from visadesk.engine.screen import IncompleteTripError, Screener

__all__ = [
    "CategoryVerdict",
    "Check",
    "FlagHit",
    "IncompleteTripError",
    "Outcome",
    "RulesNotInForceError",
    "Screener",
    "ScreeningResult",
    "Status",
    "derive_facts",
]
