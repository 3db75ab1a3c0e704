"""Loading a data folder (``docs/data-format.md``) into the database, all or nothing.

Every row is checked before anything is kept: a load that finds a bad row
raises one error naming each bad row, and the caller's transaction is rolled
back. Loading the same folder twice changes nothing the second time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._csvfile import read_rows
from chitieu._errors import ChitieuError, InputError, RowProblem, RowsRejectedError
from chitieu._formula import Formula
from chitieu._periods import parse_period
from chitieu.agency.models import Agency, AgencySuccession
from chitieu.document.models import SourceDocument
from chitieu.document.service import attach_texts
from chitieu.indicator.bounds import implausible
from chitieu.indicator.models import DIRECTIONS, OPEN_SDG_ID, Indicator, IndicatorAgency
from chitieu.observation.models import STATUSES
from chitieu.observation.service import Source, record_observation
from chitieu.plan.models import MEASURES, PLAN_STATUSES, Plan, Target
from chitieu.region.models import Region, RegionSuccession
from chitieu.task.models import Task
from chitieu.task.service import parse_timeframe

EMBEDDED = Path(__file__).with_name("bac_giang")

# What a row builder returns: the row already stored (or None), its model, its fields.
_Built = tuple[Any, type[Any], dict[str, Any]]


@dataclass
class LoadReport:
    """What a load found and what it wrote."""

    folder: Path
    counts: Counter[str] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)
    texts_attached: list[str] = field(default_factory=list)


class _Problems:
    """Bad rows across all files of a load, reported together."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.items: list[RowProblem] = []

    def add(self, path: Path, line: int, reason: str) -> None:
        self.items.append(RowProblem(line, f"{path.name}: {reason}"))

    def raise_if_any(self) -> None:
        if self.items:
            raise RowsRejectedError(str(self.folder), self.items)


def _files(folder: Path, stem: str) -> list[Path]:
    """``stem.csv`` and ``stem_*.csv``: a dataset may split a table over files."""
    return sorted(
        p for p in folder.glob(f"{stem}*.csv") if p.stem == stem or p.stem.startswith(stem + "_")
    )


def _rows(
    folder: Path, stem: str, required: tuple[str, ...]
) -> Iterator[tuple[Path, int, dict[str, str]]]:
    for path in _files(folder, stem):
        for line, row in read_rows(path, required=required):
            yield path, line, row


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _float(text: str) -> float | None:
    return float(text) if text else None


def _int(text: str) -> int | None:
    return int(text) if text else None


def load_folder(
    session: Session,
    *,
    folder: Path = EMBEDDED,
    documents: Path | None = None,
    recorded_by: str = "chitieu load",
) -> LoadReport:
    """Load every table of ``folder``; attach and check document texts from ``documents``."""
    report = LoadReport(folder=folder)
    problems = _Problems(folder)
    steps: list[Callable[[Session, Path, _Problems, LoadReport], None]] = [
        _load_documents,
        _load_indicators,
        _load_regions,
        _load_region_successions,
        _load_agencies,
        _load_agency_successions,
        _load_indicator_agencies,
        _load_plans,
        _load_validation_explanations,
    ]
    for step in steps:
        step(session, folder, problems, report)
        session.flush()
    problems.raise_if_any()
    if documents is not None:
        report.texts_attached = [d.key for d in attach_texts(session, folder=documents)]
    _load_targets(session, folder, problems, report)
    _load_observations(session, folder, problems, report, recorded_by)
    _load_tasks(session, folder, problems, report)
    problems.raise_if_any()
    session.flush()
    return report


class _Lookup:
    """Codes to rows, for the references between tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def region(self, code: str) -> Region | None:
        return self.session.scalar(select(Region).where(Region.code == code))

    def agency(self, code: str) -> Agency | None:
        return self.session.scalar(select(Agency).where(Agency.code == code))

    def document(self, key: str) -> SourceDocument | None:
        return self.session.scalar(select(SourceDocument).where(SourceDocument.key == key))

    def plan(self, code: str) -> Plan | None:
        return self.session.scalar(select(Plan).where(Plan.code == code))


def _upsert(
    session: Session,
    existing: object | None,
    new: object,
    fields: dict[str, object],
    report: LoadReport,
    table: str,
) -> None:
    """Insert ``new`` or bring ``existing`` up to date; count only real changes."""
    report.counts[table] += 1
    if existing is None:
        for name, value in fields.items():
            setattr(new, name, value)
        session.add(new)
        report.written[table] += 1
        return
    changed = False
    for name, value in fields.items():
        if not _same(getattr(existing, name), value):
            setattr(existing, name, value)
            changed = True
    if changed:
        report.written[table] += 1


def _same(old: object, new: object) -> bool:
    """Equal values; lists of related rows are equal when they hold the same rows."""
    if isinstance(old, list) and isinstance(new, list):
        return {id(x) for x in old} == {id(x) for x in new}
    return old == new


def _guard(problems: _Problems, path: Path, line: int, work: Callable[[], None]) -> None:
    """Run one row's work; a bad value becomes a problem naming its row."""
    try:
        work()
    except ChitieuError as exc:
        problems.add(path, line, str(exc))
    except (ValueError, KeyError) as exc:
        problems.add(path, line, f"giá trị không hợp lệ ({exc})")


def _load_table(
    session: Session,
    folder: Path,
    problems: _Problems,
    report: LoadReport,
    *,
    stem: str,
    columns: tuple[str, ...],
    build: Callable[[dict[str, str]], _Built],
) -> None:
    """Upsert each row of ``stem*.csv`` that ``build`` turns into (existing, model, fields)."""
    for path, line, row in _rows(folder, stem, columns):

        def work(row: dict[str, str] = row) -> None:
            existing, model, fields = build(row)
            _upsert(session, existing, model(), fields, report, stem)
            session.flush()

        _guard(problems, path, line, work)


def _required(found: Any, what: str, code: str) -> Any:
    if found is None:
        raise ValueError(f"{what} '{code}' không có")
    return found


def _optional(find: Callable[[str], Any], code: str, what: str) -> Any:
    return _required(find(code), what, code) if code else None


def _load_documents(
    session: Session, folder: Path, problems: _Problems, report: LoadReport
) -> None:
    lookup = _Lookup(session)

    def build(row: dict[str, str]) -> _Built:
        fields: dict[str, Any] = {
            "key": row["key"],
            "file_name": row["file_name"] or None,
            "sha256": row["sha256"] or None,
            "title": row["title"],
            "publisher": row["publisher"] or None,
            "issued_on": _date(row["issued_on"]),
            "kind": row["kind"],
            "url": row["url"] or None,
        }
        # A page we hold no file of is cited by the words quoted from it: they are its text,
        # so its figures' spans are shown and checked as any document's are.
        excerpt = row.get("excerpt") or None
        if excerpt is not None:
            if fields["sha256"] is not None:
                raise ValueError("trích dẫn chỉ dành cho tài liệu không có tệp (sha256 trống)")
            fields["text"] = excerpt
        return lookup.document(row["key"]), SourceDocument, fields

    columns = ("key", "file_name", "sha256", "title", "publisher", "issued_on", "kind", "url")
    _load_table(session, folder, problems, report, stem="documents", columns=columns, build=build)


def _load_indicators(
    session: Session, folder: Path, problems: _Problems, report: LoadReport
) -> None:
    def build(row: dict[str, str]) -> _Built:
        if row["direction"] not in DIRECTIONS:
            raise ValueError(f"hướng '{row['direction']}'")
        formula = row.get("formula") or None
        if formula:
            Formula(formula)
        # Optional columns: a catalogue without them takes the bounds of indicator/bounds.py.
        low, high = _float(row.get("plausible_min", "")), _float(row.get("plausible_max", ""))
        if any(b is not None and not math.isfinite(b) for b in (low, high)):
            raise ValueError("plausible_min/plausible_max phải là số hữu hạn")
        if low is not None and high is not None and low > high:
            raise ValueError(f"plausible_min {low} lớn hơn plausible_max {high}")
        open_sdg_id = row.get("open_sdg_id") or None
        if open_sdg_id is not None and not OPEN_SDG_ID.fullmatch(open_sdg_id):
            raise ValueError(
                f"open_sdg_id '{open_sdg_id}' không phải số hiệu mục tiêu-chỉ tiêu như 1-1-1"
            )
        return (
            session.get(Indicator, row["code"]),
            Indicator,
            {
                "code": row["code"],
                "group": row["group"],
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "unit": row["unit"],
                "direction": row["direction"],
                "merge_rule": row["merge_rule"],
                "definition": row.get("definition") or None,
                "definition_en": row.get("definition_en") or None,
                "formula": formula,
                "plausible_min": low,
                "plausible_max": high,
                "open_sdg_id": open_sdg_id,
            },
        )

    columns = ("code", "group", "name_vi", "name_en", "unit", "direction", "merge_rule")
    _load_table(session, folder, problems, report, stem="indicators", columns=columns, build=build)


def _load_regions(session: Session, folder: Path, problems: _Problems, report: LoadReport) -> None:
    lookup = _Lookup(session)

    def build(row: dict[str, str]) -> _Built:
        return (
            lookup.region(row["code"]),
            Region,
            {
                "code": row["code"],
                "name": row["name"],
                "name_en": row["name_en"] or None,
                "level": row["level"],
                "parent": _optional(lookup.region, row["parent"], "địa bàn cấp trên"),
                "gso_code": row["gso_code"] or None,
                "valid_from": _date(row["valid_from"]),
                "valid_to": _date(row["valid_to"]),
            },
        )

    columns = ("code", "name", "name_en", "level", "parent", "gso_code", "valid_from", "valid_to")
    _load_table(session, folder, problems, report, stem="regions", columns=columns, build=build)


def _load_agencies(session: Session, folder: Path, problems: _Problems, report: LoadReport) -> None:
    lookup = _Lookup(session)

    def build(row: dict[str, str]) -> _Built:
        return (
            lookup.agency(row["code"]),
            Agency,
            {
                "code": row["code"],
                "name": row["name"],
                "short_name": row["short_name"] or None,
                "region": _optional(lookup.region, row["region"], "địa bàn"),
                "kind": row["kind"],
                "valid_from": _date(row["valid_from"]),
                "valid_to": _date(row["valid_to"]),
            },
        )

    columns = ("code", "name", "short_name", "region", "kind", "valid_from", "valid_to")
    _load_table(session, folder, problems, report, stem="agencies", columns=columns, build=build)


def _succession_loader(
    stem: str,
    model: type[RegionSuccession] | type[AgencySuccession],
    finder: Callable[[_Lookup], Callable[[str], Any]],
) -> Callable[[Session, Path, _Problems, LoadReport], None]:
    def load(session: Session, folder: Path, problems: _Problems, report: LoadReport) -> None:
        find = finder(_Lookup(session))

        def build(row: dict[str, str]) -> _Built:
            before = _required(find(row["predecessor"]), "đơn vị", row["predecessor"])
            after = _optional(find, row["successor"], "đơn vị")
            effective = date.fromisoformat(row["effective_on"])
            existing = session.scalar(
                select(model).where(
                    model.predecessor_id == before.id, model.effective_on == effective
                )
            )
            return (
                existing,
                model,
                {
                    "effective_on": effective,
                    "kind": row["kind"],
                    "predecessor_id": before.id,
                    "successor_id": after.id if after is not None else None,
                    "note": row["note"] or None,
                    "note_en": row.get("note_en") or None,
                },
            )

        columns = ("effective_on", "kind", "predecessor", "successor", "note")
        _load_table(session, folder, problems, report, stem=stem, columns=columns, build=build)

    return load


_load_region_successions = _succession_loader(
    "region_successions", RegionSuccession, lambda lookup: lookup.region
)
_load_agency_successions = _succession_loader(
    "agency_successions", AgencySuccession, lambda lookup: lookup.agency
)


def _load_plans(session: Session, folder: Path, problems: _Problems, report: LoadReport) -> None:
    lookup = _Lookup(session)

    def build(row: dict[str, str]) -> _Built:
        return (
            lookup.plan(row["code"]),
            Plan,
            {
                "code": row["code"],
                "title": row["title"],
                "title_en": row.get("title_en") or None,
                "document_number": row["document_number"] or None,
                "issuer": row["issuer"] or None,
                "issued_on": _date(row["issued_on"]),
                "region": _required(lookup.region(row["region"]), "địa bàn", row["region"]),
                "horizon_start": int(row["horizon_start"]),
                "horizon_end": int(row["horizon_end"]),
                "kind": row["kind"],
                "status": _plan_status(row.get("status") or "in_force"),
                "source_document": _optional(lookup.document, row["doc"], "tài liệu"),
            },
        )

    columns = (
        "code",
        "title",
        "document_number",
        "issuer",
        "issued_on",
        "region",
        "horizon_start",
        "horizon_end",
        "kind",
        "doc",
    )
    _load_table(session, folder, problems, report, stem="plans", columns=columns, build=build)


def _plan_status(status: str) -> str:
    if status not in PLAN_STATUSES:
        raise ValueError(f"tình trạng kế hoạch '{status}'")
    return status


def _span(document: SourceDocument | None, row: dict[str, str]) -> tuple[int, int] | None:
    """The row's span, checked against the document's text when we have it."""
    if not row.get("start"):
        return None
    start, end = int(row["start"]), int(row["end"])
    if document is None:
        raise ValueError("có vị trí nhưng không có tài liệu")
    if document.text is not None and "text" in row and document.text[start:end] != row["text"]:
        raise ValueError(
            f"vị trí {start}-{end} trong {document.key} là "
            f"'{document.text[start:end]}', không phải '{row['text']}'"
        )
    return start, end


def _spanned(lookup: _Lookup, row: dict[str, str]) -> dict[str, Any]:
    document = _optional(lookup.document, row["doc"], "tài liệu")
    span = _span(document, row)
    return {
        "source_document": document,
        "span_start": span[0] if span else None,
        "span_end": span[1] if span else None,
    }


def _load_targets(session: Session, folder: Path, problems: _Problems, report: LoadReport) -> None:
    lookup = _Lookup(session)

    def build(row: dict[str, str]) -> _Built:
        plan = _required(lookup.plan(row["plan"]), "kế hoạch", row["plan"])
        if row["measure"] not in MEASURES:
            raise ValueError(f"cách đo '{row['measure']}'")
        period = parse_period(row["period"]).code
        if row["baseline_period"]:
            parse_period(row["baseline_period"])
        existing = session.scalar(
            select(Target).where(
                Target.plan_id == plan.id, Target.row == row["row"], Target.period == period
            )
        )
        return (
            existing,
            Target,
            {
                "plan": plan,
                "row": row["row"],
                "group_label": row["group_label"] or None,
                "group_label_en": row.get("group_label_en") or None,
                "label_vi": row["label_vi"],
                "indicator": _required(
                    session.get(Indicator, row["indicator"]), "chỉ tiêu", row["indicator"]
                ),
                "region": _required(lookup.region(row["region"]), "địa bàn", row["region"]),
                "period": period,
                "measure": row["measure"],
                "minimum": _float(row["min"]),
                "maximum": _float(row["max"]),
                "qualifier": row["qualifier"] or None,
                "unit": row["unit"],
                "baseline_period": row["baseline_period"] or None,
                "baseline_value": _float(row["baseline_value"]),
                "footnote": _cited_also(row, also.get(_same_target(row), []), VI),
                "footnote_en": _cited_also(row, also.get(_same_target(row), []), EN),
                **_spanned(lookup, row),
            },
        )

    columns = (
        "plan",
        "row",
        "group_label",
        "label_vi",
        "indicator",
        "region",
        "period",
        "measure",
        "min",
        "max",
        "qualifier",
        "unit",
        "baseline_period",
        "baseline_value",
        "footnote",
        "doc",
        "start",
        "end",
        "text",
    )
    listed = list(_rows(folder, "targets", columns))
    first: dict[tuple[str, ...], dict[str, str]] = {}
    also: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for _, _, row in listed:
        key = _same_target(row)
        if key in first:
            also.setdefault(key, []).append(row)
        else:
            first[key] = row
    for path, line, row in listed:

        def work(row: dict[str, str] = row) -> None:
            if first[_same_target(row)] is not row:
                _fold(session, lookup, row, report)
                return
            existing, model, fields = build(row)
            _upsert(session, existing, model(), fields, report, "targets")
            session.flush()

        _guard(problems, path, line, work)


def _same_target(row: dict[str, str]) -> tuple[str, ...]:
    """Plan, indicator, region, period, measure and bounds: what makes rows one target."""
    names = ("plan", "indicator", "region", "period", "measure", "min", "max", "qualifier")
    return tuple(row[name].strip() for name in names)


@dataclass(frozen=True, slots=True)
class _Citing:
    """The words a footnote naming the other sources of a target is written with."""

    column: str
    same: str
    document: str
    span: str


VI = _Citing("footnote", "Cùng chỉ tiêu theo nguồn khác", "tài liệu", "vị trí")
EN = _Citing("footnote_en", "The same target from another source", "document", "position")


def _cited_also(row: dict[str, str], others: list[dict[str, str]], words: _Citing) -> str | None:
    """The footnote, naming every other source that cites the same target, with its span.

    Two papers reporting one resolution give one target, not two that would be
    judged and counted twice; the second stays traceable to its words.
    """
    footnote = row.get(words.column) or ""
    said = [footnote.strip()] if footnote.strip() else []
    for other in others:
        why = (other.get(words.column) or "").strip().rstrip(".") or words.same
        where = f"{words.document} {other['doc']}"
        if other["start"]:
            where += f", {words.span} {other['start']}-{other['end']}"
        said.append(f"{why}: {where}.")
    return " ".join(said) or None


def _fold(session: Session, lookup: _Lookup, row: dict[str, str], report: LoadReport) -> None:
    """A row citing a target already loaded from an earlier row: its span is checked all
    the same, and a target an older load stored for it is removed."""
    _spanned(lookup, row)
    report.counts["targets"] += 1
    plan = _required(lookup.plan(row["plan"]), "kế hoạch", row["plan"])
    stale = session.scalar(
        select(Target).where(
            Target.plan_id == plan.id,
            Target.row == row["row"],
            Target.period == parse_period(row["period"]).code,
        )
    )
    if stale is not None:
        session.delete(stale)
        report.written["targets"] += 1


def _load_observations(
    session: Session, folder: Path, problems: _Problems, report: LoadReport, recorded_by: str
) -> None:
    columns = (
        "indicator",
        "region",
        "period",
        "value",
        "unit",
        "status",
        "qualifier",
        "doc",
        "start",
        "end",
        "text",
        "note",
    )
    lookup = _Lookup(session)
    for path, line, row in _rows(folder, "observations", columns):

        def work(row: dict[str, str] = row) -> None:
            indicator = _required(
                session.get(Indicator, row["indicator"]), "chỉ tiêu", row["indicator"]
            )
            if row["unit"] and row["unit"] != indicator.unit:
                raise ValueError(
                    f"đơn vị '{row['unit']}' khác đơn vị của chỉ tiêu ({indicator.unit})"
                )
            if row["status"] not in STATUSES:
                raise ValueError(f"trạng thái '{row['status']}'")
            value = float(row["value"])
            refused = implausible(indicator, value)
            if refused:
                raise InputError(refused)
            cited = _spanned(lookup, row)
            span = (cited["span_start"], cited["span_end"]) if cited["span_start"] else None
            observation, written = record_observation(
                session,
                indicator=indicator,
                region=_required(lookup.region(row["region"]), "địa bàn", row["region"]),
                period=parse_period(row["period"]),
                value=value,
                status=row["status"],
                source=Source("document", document=cited["source_document"], span=span),
                recorded_by=recorded_by,
                qualifier=row["qualifier"] or None,
                note=row["note"] or None,
            )
            # A translation is not a revision of the figure: a reload fills it in place.
            observation.note_en = row.get("note_en") or None
            report.counts["observations"] += 1
            report.written["observations"] += int(written)

        _guard(problems, path, line, work)


def _agencies(lookup: _Lookup, codes: str) -> list[Agency]:
    return [
        _required(lookup.agency(code), "cơ quan", code)
        for code in filter(None, (c.strip() for c in codes.split(";")))
    ]


def _load_tasks(session: Session, folder: Path, problems: _Problems, report: LoadReport) -> None:
    lookup = _Lookup(session)

    def build(row: dict[str, str]) -> _Built:
        plan = _required(lookup.plan(row["plan"]), "kế hoạch", row["plan"])
        start_year, due_year = parse_timeframe(row["timeframe"])
        existing = session.scalar(
            select(Task).where(
                Task.plan_id == plan.id,
                Task.group_no == row["group_no"],
                Task.number == int(row["no"]),
            )
        )
        return (
            existing,
            Task,
            {
                "plan": plan,
                "group_no": row["group_no"],
                "group_title": row["group_title"],
                "number": int(row["no"]),
                "description": row["description"],
                "timeframe": row["timeframe"] or None,
                "start_year": start_year,
                "due_year": due_year,
                "leads": _agencies(lookup, row["lead"]),
                "partners": _agencies(lookup, row["partners"]),
                **_spanned(lookup, row),
            },
        )

    columns = (
        "plan",
        "group_no",
        "group_title",
        "no",
        "description",
        "lead",
        "partners",
        "timeframe",
        "doc",
        "start",
        "end",
    )
    _load_table(session, folder, problems, report, stem="tasks", columns=columns, build=build)


def _load_indicator_agencies(
    session: Session, folder: Path, problems: _Problems, report: LoadReport
) -> None:
    lookup = _Lookup(session)
    columns = ("indicator", "agency")

    def build(row: dict[str, str]) -> _Built:
        code = row["indicator"]
        _required(session.get(Indicator, code), "chỉ tiêu", code)
        agency = _required(lookup.agency(row["agency"]), "cơ quan", row["agency"])
        existing = session.get(IndicatorAgency, (code, agency.id))
        return existing, IndicatorAgency, {"indicator_code": code, "agency_id": agency.id}

    _load_table(
        session, folder, problems, report, stem="indicator_agencies", columns=columns, build=build
    )


def _load_validation_explanations(
    session: Session, folder: Path, problems: _Problems, report: LoadReport
) -> None:
    """Explanations of what the validation rules flag in the data, kept as explained findings
    of the series' period as a whole (no figure), so that the checks do not report it again."""
    # Imported here so that the validation step stays in one place in this module.
    from chitieu.validation.models import ValidationFinding
    from chitieu.validation.rules import load_rules

    lookup = _Lookup(session)
    rules = load_rules()
    columns = ("rule", "indicator", "region", "period", "explanation")

    def build(row: dict[str, str]) -> _Built:
        rule = _required(rules.rule(row["rule"]), "quy tắc kiểm tra", row["rule"])
        code = _required(
            session.get(Indicator, row["indicator"]), "chỉ tiêu", row["indicator"]
        ).code
        region = _required(lookup.region(row["region"]), "địa bàn", row["region"])
        period = parse_period(row["period"]).code
        if not row["explanation"]:
            raise ValueError("thiếu lời giải thích")
        existing = session.scalar(
            select(ValidationFinding).where(
                ValidationFinding.rule == rule.id,
                ValidationFinding.indicator_code == code,
                ValidationFinding.region_id == region.id,
                ValidationFinding.period == period,
                ValidationFinding.observation_id.is_(None),
                ValidationFinding.state == "explained",
            )
        )
        subject = f"{rule.id} · {code} · {region.code} · {period}"
        return (
            existing,
            ValidationFinding,
            {
                "rule": rule.id,
                "severity": rule.severity,
                "indicator_code": code,
                "region_id": region.id,
                "period": period,
                "message_vi": f"Giải thích có sẵn trong bộ dữ liệu cho {subject}",
                "message_en": f"Explanation shipped with the dataset for {subject}",
                "state": "explained",
                "explanation": row["explanation"],
                "explanation_en": row.get("explanation_en") or None,
                "resolved_by": "chitieu load",
            },
        )

    _load_table(
        session,
        folder,
        problems,
        report,
        stem="validation_explanations",
        columns=columns,
        build=build,
    )
