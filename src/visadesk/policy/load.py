"""Read rule sets from YAML: a baseline, and proposed layers over it.

Bundled rule sets live in ``visadesk/rules/``: ``baseline/`` is the law as
encoded, ``proposed/<name>/`` are layers (a bill, a draft) that add or replace
categories, parameters and flags. A policy spec names them joined by ``+``:
``baseline``, ``baseline+e4``, or a folder path for a rule set kept elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

import yaml

from visadesk.policy.expr import Expr, ExprError, parse_expr
from visadesk.policy.model import (
    ActivityTreatment,
    Cap,
    Category,
    Citation,
    Effective,
    FlagRule,
    LeadTimePath,
    LeadTimeStep,
    Parameter,
    ParameterValue,
    Policy,
    Provision,
    Rule,
    Stay,
    Text,
)

__all__ = ["PolicyError", "RuleLoader", "bundled_layers", "load_policy"]


class PolicyError(ValueError):
    """A rule file cannot be read; the message names the file and the item."""


def _rules_root() -> Traversable:
    return resources.files("visadesk") / "rules"


def bundled_layers() -> tuple[str, ...]:
    """Names of the proposed layers shipped with visadesk."""
    folder = _rules_root() / "proposed"
    return tuple(sorted(e.name for e in folder.iterdir() if e.is_dir()))


class _Reader:
    """Builds model objects from one layer's YAML, naming the file in every error."""

    def __init__(self, layer: str, known_rules: Mapping[str, Rule]) -> None:
        self.layer = layer
        self.file = ""
        self.rules: dict[str, Rule] = dict(known_rules)

    def fail(self, what: str) -> PolicyError:
        return PolicyError(f"{self.file}: {what}")

    def text(self, raw: object, what: str) -> Text:
        if not isinstance(raw, Mapping) or not raw.get("en") or not raw.get("ko"):
            raise self.fail(f"{what} needs a text in both 'en' and 'ko'")
        if set(raw) != {"en", "ko"}:
            # A comma in an unquoted flow mapping ({en: a, b, ko: c}) silently splits the text.
            extra = ", ".join(repr(k) for k in raw if k not in ("en", "ko"))
            raise self.fail(
                f"{what} has keys other than 'en' and 'ko' ({extra}); quote texts with commas"
            )
        return Text(str(raw["en"]).strip(), str(raw["ko"]).strip())

    def date(self, raw: object, what: str) -> dt.date:
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            raise self.fail(f"{what}: {raw!r} is not an ISO date") from None

    def keys(self, raw: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
        """Refuse unknown keys: a misspelt 'efective' must not silently drop a date."""
        unknown = sorted(str(k) for k in raw if k not in allowed)
        if unknown:
            raise self.fail(
                f"{what}: unknown key(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(allowed))}"
            )

    def citation(self, raw: object, what: str) -> Citation:
        if not isinstance(raw, Mapping) or not raw.get("instrument") or "as_of" not in raw:
            raise self.fail(f"{what} needs a citation with instrument, pinpoint and as_of")
        self.keys(raw, CITATION_KEYS, f"{what} citation")
        return Citation(
            instrument=str(raw["instrument"]),
            pinpoint=str(raw.get("pinpoint") or ""),
            as_of=self.date(raw["as_of"], f"{what} citation as_of"),
            url=str(raw["url"]) if raw.get("url") else None,
        )

    def effective(self, raw: object) -> Effective:
        if raw is None:
            return Effective()
        if not isinstance(raw, Mapping):
            raise self.fail("'effective' must be {from: DATE, to: DATE}")
        start = self.date(raw["from"], "effective.from") if raw.get("from") else None
        end = self.date(raw["to"], "effective.to") if raw.get("to") else None
        return Effective(start, end)

    def rule(self, raw: object, kind: str, category: str) -> Rule:
        if not isinstance(raw, Mapping) or not raw.get("id"):
            raise self.fail(f"a {kind} needs an 'id'")
        if "use" in raw:
            raise self.fail("'use' cannot be combined with other keys")
        rule_id = str(raw["id"])
        self.keys(raw, RULE_KEYS, rule_id)
        if rule_id in self.rules:
            raise self.fail(f"rule id {rule_id!r} is defined twice")
        test = None
        if kind == "requirement":
            if "test" not in raw:
                raise self.fail(f"requirement {rule_id} needs a 'test'")
            try:
                test = parse_expr(raw["test"])
            except ExprError as exc:
                raise self.fail(f"requirement {rule_id}: {exc}") from None
        rule = Rule(
            id=rule_id,
            kind=cast(Any, kind),
            title=self.text(raw.get("title"), f"{rule_id} title"),
            message=self.text(raw.get("message"), f"{rule_id} message"),
            citation=self.citation(raw.get("citation"), rule_id),
            effective=self.effective(raw.get("effective")),
            test=test,
            verify=str(raw["verify"]).strip() if raw.get("verify") else None,
            category=category,
        )
        self.rules[rule_id] = rule
        return rule

    def requirement_list(self, raw: object, category: str) -> tuple[Rule, ...]:
        out: list[Rule] = []
        for item in cast(list[object], raw or []):
            if isinstance(item, Mapping) and set(item) == {"use"}:
                used = self.rules.get(str(item["use"]))
                if used is None or used.kind != "requirement":
                    raise self.fail(f"'use: {item['use']}' names no requirement defined before it")
                out.append(used)
            else:
                out.append(self.rule(item, "requirement", category))
        return tuple(out)

    def provision(self, raw: object, category: str) -> Provision:
        if not isinstance(raw, Mapping):
            raise self.fail("a provision must be a mapping")
        rule = self.rule(
            {k: v for k, v in raw.items() if k not in PROVISION_ONLY}, "provision", category
        )
        provision = Provision(
            rule=rule,
            basis=str(raw.get("basis") or rule.citation),
            requirements=self.requirement_list(raw.get("requirements"), category),
            high_risk=bool(raw.get("high_risk", False)),
        )
        return provision

    def stay(self, raw: object) -> Stay:
        if not isinstance(raw, Mapping) or not raw.get("admission"):
            raise self.fail("'stay' needs {admission: PARAM}")
        return Stay(
            admission_param=str(raw["admission"]),
            max_total_param=str(raw["max_total"]) if raw.get("max_total") else None,
            extendable=bool(raw.get("extendable", False)),
        )

    def lead_time(self, raw: object) -> tuple[LeadTimePath, ...]:
        paths: list[LeadTimePath] = []
        for item in cast(list[Mapping[str, Any]], raw or []):
            steps: list[LeadTimeStep] = []
            for step in item.get("steps") or []:
                ((kind, value),) = step.items()
                if kind == "cap_calendar":
                    steps.append(LeadTimeStep("cap_calendar", str(value[0]), str(value[1])))
                elif kind in ("calendar_days", "business_days"):
                    steps.append(LeadTimeStep(kind, str(value)))
                else:
                    raise self.fail(f"unknown lead-time step {kind!r}")
            when = parse_expr(item["when"]) if item.get("when") else None
            note = self.text(item["note"], "lead-time note") if item.get("note") else None
            paths.append(LeadTimePath(tuple(steps), when, note))
        if not paths:
            raise self.fail("'lead_time' needs at least one path")
        return tuple(paths)

    def category(self, raw: Mapping[str, Any], proposed: bool) -> Category:
        cid = str(raw["id"])
        self.keys(raw, CATEGORY_KEYS, cid)
        requirements = self.requirement_list(raw.get("requirements"), cid)
        provisions = tuple(self.provision(p, cid) for p in raw.get("provisions") or [])
        prohibitions = tuple(
            self.rule(p, "prohibition", cid) for p in raw.get("prohibitions") or []
        )
        activities: dict[str, ActivityTreatment] = {}
        for code, raw_spec in (raw.get("activities") or {}).items():
            spec = raw_spec or {}
            activities[str(code)] = ActivityTreatment(
                activity=str(code),
                allowed_by=tuple(str(p) for p in spec.get("allowed_by") or []),
                prohibited_by=str(spec["prohibited_by"]) if spec.get("prohibited_by") else None,
                note=str(spec["note"]) if spec.get("note") else None,
            )
        annotation = (
            self.text(raw["annotation"], f"{cid} annotation") if raw.get("annotation") else None
        )
        return Category(
            id=cid,
            title=self.text(raw.get("title"), f"{cid} title"),
            kind=cast(Any, raw.get("kind", "work")),
            citation=self.citation(raw.get("citation"), cid),
            stay=self.stay(raw.get("stay")),
            lead_time=self.lead_time(raw.get("lead_time")),
            requirements=requirements,
            provisions=provisions,
            prohibitions=prohibitions,
            activities=activities,
            default_prohibition=str(raw.get("default_prohibition") or ""),
            held_visa_codes=tuple(str(c).upper() for c in raw.get("held_visa_codes") or []),
            annotation=annotation,
            cap=self.cap(cid, raw.get("cap")),
            proposed=proposed,
            effective=self.effective(raw.get("effective")),
            layer=self.layer,
            held_visa_void_when=self.condition(raw.get("held_visa_void_when"), cid),
        )

    def condition(self, raw: object, cid: str) -> Expr | None:
        if raw is None:
            return None
        try:
            return parse_expr(raw)
        except ExprError as exc:
            raise self.fail(f"{cid} held_visa_void_when: {exc}") from None

    def cap(self, cid: str, spec: object) -> Cap | None:
        if spec is None:
            return None
        if not isinstance(spec, Mapping) or not spec.get("param"):
            raise self.fail(f"{cid}: 'cap' needs {{param: NAME, period: fiscal_year or half year}}")
        self.keys(spec, CAP_KEYS, f"{cid} cap")
        period = spec.get("period", "fiscal_year")
        if period not in ("fiscal_year", "half_fiscal_year"):
            raise self.fail(f"{cid}: cap period must be fiscal_year or half_fiscal_year")
        supplemental, exempt = spec.get("supplemental"), spec.get("exempt_fact")
        return Cap(
            str(spec["param"]),
            period,
            supplemental=str(supplemental) if supplemental else None,
            exempt_fact=str(exempt) if exempt else None,
        )

    def parameter(self, name: str, raw: Mapping[str, Any]) -> Parameter:
        values = []
        for v in raw.get("values") or []:
            if not v.get("source"):
                raise self.fail(f"parameter {name}: every value needs a 'source' note")
            values.append(
                ParameterValue(
                    start=self.date(v["from"], f"parameter {name} from"),
                    value=_freeze(v["value"]),
                    source=str(v["source"]).strip(),
                    verify=str(v["verify"]).strip() if v.get("verify") else None,
                )
            )
        if not values:
            raise self.fail(f"parameter {name} has no values")
        return Parameter(
            name=name,
            title=self.text(raw.get("title"), f"parameter {name} title"),
            unit=str(raw.get("unit") or ""),
            values=tuple(values),
            layer=self.layer,
        )

    def flag(self, raw: Mapping[str, Any]) -> FlagRule:
        rule = self.rule(
            {k: v for k, v in raw.items() if k not in ("severity", "when")}, "flag", ""
        )
        severity = raw.get("severity")
        if severity not in ("low", "medium", "high"):
            raise self.fail(f"flag {rule.id}: severity must be low, medium or high")
        try:
            when = parse_expr(raw["when"])
        except (ExprError, KeyError) as exc:
            raise self.fail(f"flag {rule.id}: {exc}") from None
        return FlagRule(rule=rule, severity=severity, when=when)


PROVISION_ONLY = frozenset({"basis", "requirements", "high_risk"})
RULE_KEYS = frozenset({"id", "title", "message", "citation", "effective", "test", "verify"})
CITATION_KEYS = frozenset({"instrument", "pinpoint", "as_of", "url"})
CAP_KEYS = frozenset({"param", "period", "supplemental", "exempt_fact"})
CATEGORY_KEYS = frozenset(
    {
        "id",
        "kind",
        "title",
        "citation",
        "stay",
        "lead_time",
        "held_visa_codes",
        "held_visa_void_when",
        "annotation",
        "requirements",
        "provisions",
        "prohibitions",
        "default_prohibition",
        "activities",
        "effective",
        "cap",
    }
)


def _freeze(value: object) -> object:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    return value


#: libyaml's parser where PyYAML was built with it (about eight times faster on the rule
#: files: every CLI command and every desk start loads them); the pure-Python one otherwise.
#: Both resolve tags in Python, so the boolean rule below holds for either.
if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleLoader(_SafeLoader):
    """YAML 1.2 booleans only: ``NO`` is Norway and ``Y`` a letter, not ``False``/``True``."""


RuleLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RuleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _yaml(entry: Traversable) -> Any:
    with entry.open("r", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=RuleLoader)  # noqa: S506 - a SafeLoader subclass


def _layer_files(folder: Traversable) -> Iterator[Traversable]:
    for name in ("parameters.yaml", "flags.yaml"):
        entry = folder / name
        if entry.is_file():
            yield entry
    categories = folder / "categories"
    if categories.is_dir():
        yield from sorted(
            (e for e in categories.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name
        )


def _resolve(spec: str) -> Traversable:
    path = Path(spec)
    if path.is_dir():
        return cast(Traversable, path)
    root = _rules_root()
    for candidate in (root / spec, root / "proposed" / spec):
        if candidate.is_dir():
            return candidate
    known = ", ".join(("baseline", *bundled_layers()))
    raise PolicyError(f"no rule set {spec!r}: give a folder or one of {known}")


def load_policy(spec: str = "baseline") -> Policy:
    """Load ``baseline``, ``baseline+e4`` or a folder (``path/to/rules+e4``)."""
    parts = [p for p in spec.split("+") if p]
    if not parts:
        raise PolicyError("empty policy spec")
    categories: dict[str, Category] = {}
    parameters: dict[str, Parameter] = {}
    flags: dict[str, FlagRule] = {}
    rules: dict[str, Rule] = {}
    head: dict[str, Any] = {}
    layer_notices: list[Any] = []
    order: list[str] = []
    files: list[str] = []
    for index, part in enumerate(parts):
        folder = _resolve(part)
        meta = _yaml(folder / "policy.yaml") or {}
        if index == 0 and meta.get("kind") == "proposed":
            raise PolicyError(
                f"{part!r} is a proposed layer; load it over a baseline: baseline+{part}"
            )
        if index > 0 and meta.get("kind") != "proposed":
            raise PolicyError(
                f"{part!r} is not a proposed layer and cannot go over another rule set"
            )
        if index == 0:
            head = meta
        elif meta.get("notice"):
            layer_notices.append(meta["notice"])
        reader = _Reader(str(meta.get("id", part)), rules)
        for entry in _layer_files(folder):
            reader.file = f"{part}/{entry.name}"
            files.append(reader.file)
            data = _yaml(entry) or {}
            if entry.name == "parameters.yaml":
                for name, raw in (data.get("parameters") or {}).items():
                    parameters[str(name)] = reader.parameter(str(name), raw)
            elif entry.name == "flags.yaml":
                for raw in data.get("flags") or []:
                    flag = reader.flag(raw)
                    flags[flag.code] = flag
            else:
                category = reader.category(data, proposed=meta.get("kind") == "proposed")
                categories[category.id] = category
        rules = reader.rules
        order.extend(str(c) for c in meta.get("category_order") or [] if str(c) not in order)
    ordered = {cid: categories[cid] for cid in order if cid in categories}
    ordered.update({cid: c for cid, c in categories.items() if cid not in ordered})
    layers_meta = _Reader("", {})
    layers_meta.file = "policy.yaml"
    return Policy(
        id=str(head.get("id", parts[0])),
        version="+".join([str(head.get("version", "0")), *parts[1:]]),
        title=layers_meta.text(head.get("title"), "policy title"),
        layers=tuple(parts),
        categories=ordered,
        parameters=parameters,
        flags=tuple(flags.values()),
        notice=_joined(
            [layers_meta.text(head.get("notice"), "policy notice")]
            + [layers_meta.text(n, "layer notice") for n in layer_notices]
        ),
        source_files=tuple(files),
        rules=rules,
    )


def _joined(texts: list[Text]) -> Text:
    """The baseline's notice followed by each proposed layer's own (e.g. "not law")."""
    return Text(" ".join(t.en for t in texts), " ".join(t.ko for t in texts))


def provision_index(policy: Policy) -> dict[str, Provision]:
    """Every provision of every category by id (treatments may cite another category's)."""
    return {p.id: p for c in policy.categories.values() for p in c.provisions}
