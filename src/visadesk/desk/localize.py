"""A stored screening shown in the reader's language (both front doors show them)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from visadesk.policy.model import Policy

__all__ = ["localized"]


def localized(result: dict[str, Any], policy: Policy, lang: str, as_of: dt.date) -> dict[str, Any]:
    """A stored screening (English messages) with messages in ``lang``, by rule id.

    A rule the current rule set no longer has keeps its stored English text.
    """
    if lang == "en":
        return result
    out = copy.deepcopy(result)
    for verdict in out.get("categories", {}).values():
        for reason in verdict.get("reasons", []):
            rule = policy.rules.get(reason.get("rule", ""))
            if rule is not None:
                reason["message"] = policy.format(rule.message, lang, as_of)
    for flag in out.get("flags", []):
        rule = policy.rules.get(flag.get("code", ""))
        if rule is not None:
            flag["message"] = policy.format(rule.message, lang, as_of)
    return out
