"""``visadesk explain``: one person's full reasoning, for a human reader."""

from __future__ import annotations

import datetime as dt

from visadesk.engine.result import Check, Outcome, ScreeningResult
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer
from visadesk.roster.schema import FactValue

__all__ = ["explain"]

_MARK = {Outcome.PASS: "✓", Outcome.FAIL: "✗", Outcome.UNKNOWN: "?"}


def _fact(value: FactValue, lang: str) -> str:
    if value is None:
        return t("explain.blank", lang)
    if isinstance(value, bool):
        return t("explain.yes" if value else "explain.no", lang)
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _check_lines(policy: Policy, renderer: ResultRenderer, check: Check, lang: str) -> list[str]:
    rule = policy.rule(check.rule)
    indent = "      " if check.provision and check.provision != check.rule else "    "
    head = f"{indent}{_MARK[check.outcome]} {rule.id}: {rule.title.get(lang)}"
    if check.superseded:
        head += "  " + t("explain.superseded", lang)
    lines = [head, f"{indent}    {renderer.text(rule.message, lang)}"]
    if check.facts:
        used = ", ".join(f"{name} = {_fact(value, lang)}" for name, value in check.facts)
        lines.append(f"{indent}    {t('explain.facts', lang)}: {used}")
    lines.append(f"{indent}    {t('explain.source', lang)}: {rule.citation}")
    if rule.verify:
        lines.append(f"{indent}    {t('explain.verify', lang)}: {rule.verify}")
    return lines


def explain(result: ScreeningResult, policy: Policy, lang: str = "en") -> str:
    """Every category, every rule checked, the facts used and the citation."""
    renderer = ResultRenderer(policy, result.as_of, lang)
    f = result.facts
    lines = [
        t(
            "explain.title",
            lang,
            worker_id=result.worker_id,
            family=f.get("family_name") or "",
            given=f.get("given_name") or "",
        ),
        t(
            "explain.trip",
            lang,
            start=_fact(f.get("trip_start"), lang),
            end=_fact(f.get("trip_end"), lang),
            days=f.get("trip_days"),
            activities=_fact(f.get("activities"), lang),
        ),
        t("explain.policy", lang, version=policy.version, as_of=result.as_of.isoformat()),
        "",
    ]
    recommended = result.recommended or t("explain.none", lang)
    lines.append(
        t("explain.recommended", lang, category=recommended, ready_by=_fact(result.ready_by, lang))
    )
    if result.ready_in_time is False:
        lines.append("  " + t("explain.late", lang, trip_start=result.trip_start.isoformat()))
    annotation = renderer.annotation(result, lang)
    if annotation:
        lines.append(t("explain.annotation", lang, text=annotation))
    lines.append("")
    for cid, verdict in result.verdicts.items():
        category = policy.categories[cid]
        status = t(f"status.{verdict.status.value}", lang)
        lines.append(f"{cid} {category.title.get(lang)}: {status}")
        basis = renderer.basis(verdict)
        if basis:
            lines.append("  " + t("explain.basis", lang, basis=basis))
        if verdict.missing:
            lines.append("  " + t("report.missing", lang, facts=", ".join(verdict.missing)))
        activity: str | None = ""
        for check in verdict.checks:
            if check.activity != activity:
                activity = check.activity
                if activity:
                    lines.append(
                        "  " + t("explain.activity", lang, activity=t(f"activity.{activity}", lang))
                    )
            lines.extend(_check_lines(policy, renderer, check, lang))
        if verdict.ready_by:
            key = "explain.in_hand" if verdict.in_hand else "explain.ready_by"
            lines.append("  " + t(key, lang, date=verdict.ready_by.isoformat()))
        if not verdict.stay_covers:
            lines.append("  " + t("explain.stay_short", lang))
        lines.append("")
    if result.flags:
        lines.append(t("explain.flags", lang))
        for flag in result.flags:
            shown = renderer.flag(flag.code, flag.severity, lang)
            lines.append(
                f"  [{flag.severity}] {flag.code}: {shown['message']} ({shown['citation']})"
            )
        lines.append("")
    lines.append(policy.notice.get(lang))
    return "\n".join(lines)
