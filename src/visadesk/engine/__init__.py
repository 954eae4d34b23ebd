"""The screening engine: one trip against one rule set, with a trace of every rule."""

from visadesk.engine.result import (
    CategoryVerdict,
    Check,
    FlagHit,
    Outcome,
    ScreeningResult,
    Status,
)
from visadesk.engine.screen import IncompleteTrip, RulesNotInForce, Screener, derive_facts

__all__ = [
    "CategoryVerdict",
    "Check",
    "FlagHit",
    "IncompleteTrip",
    "Outcome",
    "RulesNotInForce",
    "Screener",
    "ScreeningResult",
    "Status",
    "derive_facts",
]
