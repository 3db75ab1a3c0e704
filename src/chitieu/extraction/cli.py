"""``chitieu extract``, ``chitieu ingest`` and ``chitieu review``."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._errors import ChitieuError
from chitieu._labels import tr, word
from chitieu._layout import Column
from chitieu._output import OutputFormat, emit
from chitieu._periods import parse_period
from chitieu.audit.service import record_change
from chitieu.extraction._document import DocumentModel
from chitieu.extraction.batch import FileError, Mapper, extract_files, ingest_files
from chitieu.extraction.conflicts import Conflict, ConflictMember, better_figures, choose, conflicts
from chitieu.extraction.models import ExtractedFigure
from chitieu.extraction.pool import mapper_for
from chitieu.extraction.records import Figure
from chitieu.extraction.review import describe
from chitieu.extraction.service import IngestReport, accept_figure, pending_figures, reject_figure

# The record of ``../shared/spec/extraction.md``, in its order, and nothing else.
CONTRACT_FIELDS = (
    "doc",
    "start",
    "end",
    "text",
    "value",
    "value_max",
    "unit",
    "period",
    "status",
    "measure",
    "indicator",
    "region",
    "rank_of",
    "qualifier",
)

_WORDS = {
    "target": ("mục tiêu", "target"),
    "level": ("mức", "level"),
    "change_pct": ("tăng/giảm %", "change %"),
    "change_abs": ("tăng/giảm", "change"),
    "multiple": ("gấp (lần)", "multiple"),
    "share_pct": ("tỷ trọng %", "share %"),
    "plan_pct": ("% kế hoạch", "% of plan"),
    "rank": ("xếp hạng", "rank"),
}


class ExtractFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
    app.command("ingest")(ingest)
    review_app = typer.Typer(
        help="Duyệt số liệu trích từ văn bản và các số liệu mâu thuẫn "
        "(review extracted figures and conflicts).",
        invoke_without_command=True,
        no_args_is_help=False,
    )
    review_app.callback()(review)
    review_app.command("accept")(accept)
    review_app.command("reject")(reject)
    review_app.command("choose")(choose_figure)
    app.add_typer(review_app, name="review")


def _label(key: str | None, lang: str) -> str:
    if key in _WORDS:
        vi, en = _WORDS[key]
        return tr(lang, vi, en)
    return word(key, lang)


def _report_failure(failure: FileError) -> None:
    """One line on stderr: "Lỗi: <file>: <reason>"."""
    path, reason = failure.path, failure.message
    for prefix in (f"{path}: ", f"{path.name}: "):
        if reason.startswith(prefix):
            reason = reason.removeprefix(prefix)
            break
    line = Text.assemble(("Lỗi:", "bold red"), f" {path}: {reason}")
    Console(stderr=True, highlight=False, soft_wrap=True).print(line)


Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Số tiến trình đọc và trích song song (mặc định: 1 khi tệp ít và nhỏ, "
        "dưới 4 MB; còn lại bằng số lõi CPU).",
    ),
]
DaskScheduler = Annotated[
    str | None,
    typer.Option(
        "--dask-scheduler",
        help="Trích trên cụm Dask (tcp://máy:cổng), thay cho --jobs; "
        "mặc định CHITIEU_DASK_SCHEDULER. Cần gói distributed (pip install distributed).",
    ),
]


@contextmanager
def _mapper(
    ctx: typer.Context, files: list[Path], jobs: int | None, dask_scheduler: str | None
) -> Iterator[Mapper]:
    """Where the files are read: processes or a Dask cluster, with progress on a terminal."""
    scheduler = dask_scheduler or app_context(ctx).settings.dask_scheduler
    with mapper_for(files, jobs=jobs, dask_scheduler=scheduler) as mapper:
        yield _with_progress(mapper, len(files), app_context(ctx).lang)


def _with_progress(mapper: Mapper, total: int, lang: str) -> Mapper:
    """The mapper, drawing a bar on stderr while a person watches several files."""
    if total < 2 or not sys.stderr.isatty():
        return mapper

    def tracked(function: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        results = mapper(function, *iterables)
        progress = Progress(
            TextColumn(tr(lang, "Đang đọc tệp", "Reading files")),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            # Lines written to a piped stdout go straight there, not through the bar.
            redirect_stdout=sys.stdout.isatty(),
        )
        with progress:
            task = progress.add_task("", total=total)
            for result in results:
                progress.advance(task)
                yield result

    return tracked


# --- chitieu extract ------------------------------------------------------------------


def extract(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Tệp TXT, DOCX, PDF hoặc HTML.")],
    output: Annotated[ExtractFormat, typer.Option("--format")] = ExtractFormat.table,
    region: Annotated[
        str | None,
        typer.Option(help="Địa bàn văn bản nói tới, cho số liệu không ghi địa bàn."),
    ] = None,
    jobs: Jobs = None,
    dask_scheduler: DaskScheduler = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Kèm căn cứ quyết định kỳ, trạng thái, chỉ tiêu, địa bàn và độ tin cậy "
            "(the cue and confidence of each attribute).",
        ),
    ] = False,
) -> None:
    """Tìm số liệu trong văn bản, không ghi vào cơ sở dữ liệu (find figures in documents)."""
    lang = app_context(ctx).lang
    failed = False
    figures: list[Figure] = []
    with _mapper(ctx, files, jobs, dask_scheduler) as mapper:
        for result in extract_files(files, region=region, mapper=mapper):
            if isinstance(result, FileError):
                _report_failure(result)
                failed = True
            elif output is ExtractFormat.jsonl:
                _write_jsonl(result.figures, explain=explain)
            else:
                if explain and result.model is not None:
                    _print_model(result.path.name, result.model, lang)
                figures += result.figures
    if output is ExtractFormat.table:
        (_print_explained if explain else _print_figures)(figures, lang)
    if failed:
        raise typer.Exit(1)


def _write_jsonl(figures: Iterable[Figure], *, explain: bool = False) -> None:
    for figure in figures:
        record = figure.record()
        line = {name: record[name] for name in CONTRACT_FIELDS}
        if explain:
            # The contract welcomes more fields; these come only when asked for.
            line |= figure.explained()
            if "index_base" in record:
                line["index_base"] = record["index_base"]
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _print_model(name: str, model: DocumentModel, lang: str) -> None:
    lines = describe(model, lang=lang)
    shown = " · ".join(f"{label}: {value}" for label, value in lines)
    Console(highlight=False).print(f"{name}: {shown}", markup=False)


def _print_explained(figures: list[Figure], lang: str) -> None:
    """One block per figure: what it reads as, then each attribute's cue, at any width."""
    console = Console(highlight=False)
    for figure in figures:
        read_as = " · ".join(
            part
            for part in (
                _value(figure.value, figure.value_max, figure.unit, figure.qualifier, lang),
                _period_label(figure.period, lang),
                _label(figure.status, lang),
                _label(figure.measure, lang),
                figure.indicator or tr(lang, "chỉ tiêu chưa rõ", "no indicator"),
                figure.region or "",
            )
            if part
        )
        sure = _format.number(figure.confidence or 0.0, lang)
        console.print(
            f"{figure.doc} {figure.start}–{figure.end} «{figure.text}»: {read_as} "
            f"({tr(lang, 'độ tin cậy', 'confidence')} {sure})",
            markup=False,
        )
        for cue in figure.why:
            console.print(f"  {_cue_line(cue.text, cue.confidence, lang)}", markup=False)


def _cue_line(cue: str, confidence: float, lang: str) -> str:
    """One attribute's cue as ``extract --explain`` and ``review`` print it."""
    return f"{cue} ({_format.number(confidence, lang)})"


def _why_shown(why: dict[str, Any] | None, confidence: float | None, lang: str) -> str:
    """A stored figure's confidence, then each attribute's cue on its own line."""
    if confidence is None:
        return tr(lang, "chưa có căn cứ", "no cues stored")
    cues = [
        _cue_line(str(cue["cue"]), float(cue["confidence"]), lang)
        for cue in (why or {}).values()
        if isinstance(cue, dict)
    ]
    sure = f"{tr(lang, 'độ tin cậy', 'confidence')} {_format.number(confidence, lang)}"
    return "\n".join([sure, *cues])


def _print_figures(figures: list[Figure], lang: str) -> None:
    rows = [
        {
            "doc": figure.doc,
            "span": f"{figure.start}–{figure.end}",
            "text": figure.text,
            "value": _value(figure.value, figure.value_max, figure.unit, figure.qualifier, lang),
            "unit": figure.unit,
            "period": _period_label(figure.period, lang),
            "status": _label(figure.status, lang),
            "measure": _label(figure.measure, lang)
            + (f" /{figure.rank_of}" if figure.rank_of is not None else ""),
            "indicator": figure.indicator or "",
            "region": figure.region or "",
        }
        for figure in figures
    ]
    emit(
        rows,
        output=OutputFormat.table,
        columns=[
            Column("value", tr(lang, "Giá trị", "Value"), "head"),
            ("text", tr(lang, "Văn bản", "Text")),
            ("doc", tr(lang, "Tệp", "File")),
            ("span", tr(lang, "Vị trí", "Span")),
            ("unit", tr(lang, "Đơn vị", "Unit")),
            ("period", tr(lang, "Kỳ", "Period")),
            ("status", tr(lang, "Loại số", "Status")),
            ("measure", tr(lang, "Phép đo", "Measure")),
            ("indicator", tr(lang, "Chỉ tiêu", "Indicator")),
            ("region", tr(lang, "Địa bàn", "Region")),
        ],
    )


def _value(
    value: float, value_max: float | None, unit: str, qualifier: str | None, lang: str
) -> str:
    """'khoảng 8,6 tỷ USD', '12–13%': the figure as a person reads it."""
    shown = _format.value_with_unit(value, unit, lang)
    if value_max is not None:
        upper = _format.value_with_unit(value_max, unit, lang)
        lower = _format.number(value, lang) if unit == "%" else shown
        shown = f"{lower}–{upper}"
    return f"{qualifier} {shown}" if qualifier else shown


def _period_label(code: str | None, lang: str) -> str:
    if code is None:
        return ""
    try:
        return parse_period(code).label(lang)
    except ChitieuError:
        return code


# --- chitieu ingest --------------------------------------------------------------------


def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Tệp TXT, DOCX, PDF hoặc HTML.")],
    region: Annotated[
        str | None,
        typer.Option(help="Địa bàn văn bản nói tới, cho số liệu không ghi địa bàn."),
    ] = None,
    by: Annotated[str | None, typer.Option(help="Người nạp.")] = None,
    jobs: Jobs = None,
    dask_scheduler: DaskScheduler = None,
) -> None:
    """Lưu văn bản và số liệu trích được để duyệt; tệp lỗi không ghi gì (store for review)."""
    context = app_context(ctx)
    engine = context.engine()
    with _mapper(ctx, files, jobs, dask_scheduler) as mapper, transaction(engine) as session:
        outcomes = ingest_files(
            session,
            paths=files,
            recorded_by=by or getpass.getuser(),
            region=region,
            mapper=mapper,
        )
    # Said once the transaction is committed: nothing is reported stored that was not.
    for outcome in outcomes:
        if isinstance(outcome, FileError):
            _report_failure(outcome)
        else:
            _print_ingested(outcome, context.lang)
    if any(isinstance(outcome, FileError) for outcome in outcomes):
        raise typer.Exit(1)


def _print_ingested(report: IngestReport, lang: str) -> None:
    console = Console(highlight=False)
    document = report.document + (tr(lang, ", mới", ", new") if report.document_new else "")
    console.print(
        tr(
            lang,
            f"{report.path}: {report.found} số liệu, {report.new} mới (tài liệu {document})",
            f"{report.path}: {report.found} figures, {report.new} new (document {document})",
        ),
        markup=False,
    )
    for note in report.notes:
        console.print(f"  {tr(lang, 'ghi chú', 'note')}: {note}", markup=False)
    for reason in report.skipped:
        console.print(f"  {tr(lang, 'bỏ qua', 'skipped')}: {reason}", markup=False)


# --- chitieu review ---------------------------------------------------------------------


def review(
    ctx: typer.Context,
    output: Annotated[ListFormat, typer.Option("--format")] = ListFormat.table,
) -> None:
    """Số liệu chờ duyệt và các số liệu mâu thuẫn (pending figures and conflicts)."""
    if ctx.invoked_subcommand is not None:
        return
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine()) as session:
        pending = [_pending_record(figure, lang) for figure in pending_figures(session)]
        disputes = [_conflict_record(conflict, lang) for conflict in conflicts(session)]
    if output is ListFormat.json:
        for record in pending:
            for key in ("value_shown", "period_shown", "status_shown", "why_shown"):
                record.pop(key)
        json.dump(
            {"pending": pending, "conflicts": disputes},
            sys.stdout,
            ensure_ascii=False,
            indent=2,
            default=str,
        )
        sys.stdout.write("\n")
        return
    if not pending:
        Console().print(tr(lang, "Không có số liệu chờ duyệt.", "No figures awaiting review."))
    emit(
        pending,
        output=OutputFormat.table,
        title=tr(lang, "Số liệu chờ duyệt", "Figures awaiting review"),
        columns=[
            Column("id", "#", "head"),
            Column("value_shown", tr(lang, "Giá trị", "Value"), "head"),
            ("document", tr(lang, "Tài liệu", "Document")),
            Column("quote", tr(lang, "Trích dẫn", "Quote"), "note"),
            ("unit", tr(lang, "Đơn vị", "Unit")),
            ("period_shown", tr(lang, "Kỳ", "Period")),
            ("status_shown", tr(lang, "Loại số", "Status")),
            ("indicator", tr(lang, "Chỉ tiêu", "Indicator")),
            Column("why_shown", tr(lang, "Căn cứ", "Why"), "note"),
        ],
    )
    _print_conflicts(disputes, lang)


def _pending_record(figure: ExtractedFigure, lang: str) -> dict[str, Any]:
    document = figure.source_document
    return {
        "id": figure.id,
        "document": document.key,
        "document_title": document.title,
        "start": figure.span_start,
        "end": figure.span_end,
        "text": figure.text,
        "quote": document.quote(figure.span_start, figure.span_end, context=40),
        "value": figure.value,
        "value_max": figure.value_max,
        "unit": figure.unit,
        "period": figure.period,
        "status": figure.status,
        "measure": figure.measure,
        "indicator": figure.indicator_code,
        "region": figure.region_name,
        "qualifier": figure.qualifier,
        "rank_of": figure.rank_of,
        "value_shown": _value(figure.value, figure.value_max, figure.unit, figure.qualifier, lang),
        "period_shown": _period_label(figure.period, lang),
        "status_shown": _label(figure.status, lang),
        # As `extract --explain` gives them: each attribute's cue, and the least confidence.
        "why": figure.why,
        "confidence": figure.confidence,
        "why_shown": _why_shown(figure.why, figure.confidence, lang),
    }


def _conflict_record(conflict: Conflict, lang: str) -> dict[str, Any]:
    choice = conflict.choice
    return {
        "indicator": conflict.indicator,
        "region": conflict.region,
        "region_name": conflict.region_name,
        "period": conflict.period,
        "status": conflict.status,
        "chosen": None
        if choice is None
        else {
            "observation_id": choice.observation_id,
            "chosen_by": choice.chosen_by,
            "chosen_at": choice.chosen_at.isoformat(timespec="seconds"),
            "reason": choice.reason,
        },
        "members": [_member_record(member, lang) for member in conflict.members],
    }


def _member_record(member: ConflictMember, lang: str) -> dict[str, Any]:
    return {
        "observation_id": member.observation_id,
        "figure_id": member.figure_id,
        "state": member.state,
        "value": member.value,
        "unit": member.unit,
        "value_shown": _format.value_with_unit(member.value, member.unit, lang),
        "source": member.source,
        "source_title": member.source_title,
        "quote": member.quote,
        "chosen": member.chosen,
        "status": member.status,
    }


def _print_conflicts(disputes: list[dict[str, Any]], lang: str) -> None:
    console = Console()
    if not disputes:
        console.print(tr(lang, "Không có số liệu mâu thuẫn.", "No conflicting figures."))
        return
    for dispute in disputes:
        title = " · ".join(
            part
            for part in (
                dispute["indicator"],
                dispute["region_name"] or tr(lang, "(không rõ địa bàn)", "(region unknown)"),
                _period_label(dispute["period"], lang),
                _label(dispute["status"], lang),
            )
            if part
        )
        rows = [
            {
                "chosen": "✔" if member["chosen"] else "",
                "number": str(member["observation_id"])
                if member["observation_id"] is not None
                else tr(lang, f"trích {member['figure_id']}", f"figure {member['figure_id']}"),
                "value": member["value_shown"],
                "status": _label(member["status"], lang) if member["status"] else "",
                "source": member["source"],
                "quote": member["quote"] or "",
            }
            for member in dispute["members"]
        ]
        emit(
            rows,
            output=OutputFormat.table,
            title=tr(lang, "Mâu thuẫn: ", "Conflict: ") + title,
            columns=[
                Column("number", "#", "head"),
                Column("value", tr(lang, "Giá trị", "Value"), "head"),
                ("chosen", tr(lang, "Chọn", "Chosen")),
                ("status", tr(lang, "Loại số", "Status")),
                ("source", tr(lang, "Nguồn", "Source")),
                Column("quote", tr(lang, "Trích dẫn", "Quote"), "note"),
            ],
            console=console,
        )
        chosen = dispute["chosen"]
        if chosen is not None:
            console.print(
                tr(
                    lang,
                    f"Đã chọn #{chosen['observation_id']} ({chosen['chosen_by']}, "
                    f"{chosen['chosen_at']}): {chosen['reason']}",
                    f"Chosen #{chosen['observation_id']} ({chosen['chosen_by']}, "
                    f"{chosen['chosen_at']}): {chosen['reason']}",
                ),
                highlight=False,
                markup=False,
            )


def accept(
    ctx: typer.Context,
    figure_id: Annotated[int, typer.Argument(help="Số thứ tự (#) của số liệu trích.")],
    value: Annotated[float | None, typer.Option(help="Giá trị đúng, nếu đọc sai.")] = None,
    indicator: Annotated[str | None, typer.Option(help="Mã hoặc tên chỉ tiêu.")] = None,
    period: Annotated[str | None, typer.Option(help="Kỳ: 2023, 2023-H1, 2024-9M…")] = None,
    status: Annotated[str | None, typer.Option(help="actual, estimate, preliminary.")] = None,
    region: Annotated[str | None, typer.Option(help="Mã hoặc tên địa bàn.")] = None,
    note: Annotated[str | None, typer.Option(help="Ghi chú của người duyệt.")] = None,
    by: Annotated[str | None, typer.Option(help="Người duyệt.")] = None,
) -> None:
    """Chấp nhận một số liệu trích thành số liệu quan sát, có thể sửa (accept a figure)."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine()) as session:
        observation = accept_figure(
            session,
            figure_id=figure_id,
            recorded_by=by or getpass.getuser(),
            value=value,
            indicator=indicator,
            period=period,
            status=status,
            region=region,
            note=note,
        )
        record_change(
            session,
            actor=observation.recorded_by,
            action="accept",
            entity="extracted_figure",
            entity_id=figure_id,
            after={"observation_id": observation.id, "value": observation.value},
        )
        shown = _format.value_with_unit(observation.value, observation.unit, lang)
        where = (
            f"{observation.indicator_code}, {observation.region.name}, "
            f"{_period_label(observation.period, lang)}, {_label(observation.status, lang)}"
        )
        observation_id = observation.id
    Console(highlight=False).print(
        tr(
            lang,
            f"Đã chấp nhận số liệu trích #{figure_id}: "
            f"số liệu #{observation_id} ({where}) = {shown}",
            f"Accepted figure #{figure_id} as observation #{observation_id} ({where}) = {shown}",
        ),
        markup=False,
    )


def reject(
    ctx: typer.Context,
    figure_id: Annotated[int, typer.Argument(help="Số thứ tự (#) của số liệu trích.")],
    reason: Annotated[str, typer.Option(help="Lý do loại.")],
    by: Annotated[str | None, typer.Option(help="Người duyệt.")] = None,
) -> None:
    """Loại một số liệu trích (reject a figure)."""
    context = app_context(ctx)
    with transaction(context.engine()) as session:
        actor = by or getpass.getuser()
        reject_figure(session, figure_id=figure_id, recorded_by=actor, reason=reason)
        record_change(
            session,
            actor=actor,
            action="reject",
            entity="extracted_figure",
            entity_id=figure_id,
            after={"reason": reason},
        )
    Console(highlight=False).print(
        tr(context.lang, f"Đã loại số liệu trích #{figure_id}", f"Rejected figure #{figure_id}"),
        markup=False,
    )


def choose_figure(
    ctx: typer.Context,
    observation_id: Annotated[int, typer.Argument(help="Số thứ tự (#) của số liệu được chọn.")],
    reason: Annotated[str, typer.Option(help="Lý do chọn số liệu này.")],
    by: Annotated[str | None, typer.Option(help="Người chọn.")] = None,
    knowingly: Annotated[
        bool,
        typer.Option(help="Vẫn chọn số ước tính dù kỳ đã có số thực hiện (over an actual)."),
    ] = False,
) -> None:
    """Chọn số liệu dùng khi các nguồn nói khác nhau (choose between conflicting figures)."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine()) as session:
        choice = choose(
            session,
            observation_id=observation_id,
            chosen_by=by or getpass.getuser(),
            reason=reason,
            knowingly=knowingly,
        )
        observation = choice.observation
        record_change(
            session,
            actor=choice.chosen_by,
            action="choose",
            entity="conflict_choice",
            entity_id=choice.id,
            after={"observation_id": observation_id, "reason": reason},
        )
        shown = _format.value_with_unit(observation.value, observation.unit, lang)
        where = (
            f"{observation.indicator_code}, {observation.region.name}, "
            f"{_period_label(observation.period, lang)}, {_label(observation.status, lang)}"
        )
        better = [] if knowingly else better_figures(session, observation=observation)
        kept = (
            f"{_format.value_with_unit(better[0].value, better[0].unit, lang)} "
            f"(#{better[0].id}, {_label(better[0].status, lang)})"
            if better
            else ""
        )
    console = Console(highlight=False, soft_wrap=True)
    console.print(
        tr(
            lang,
            f"Đã chọn số liệu #{observation_id} = {shown} cho {where}: {choice.reason}",
            f"Chose observation #{observation_id} = {shown} for {where}: {choice.reason}",
        ),
        markup=False,
    )
    if kept:
        # Said, so that nobody believes the estimate now counts.
        console.print(
            tr(
                lang,
                f"Lưu ý: kỳ này đã có {kept}; lựa chọn chỉ giữa các số cùng loại, số đó vẫn "
                "được dùng (--knowingly để chọn số này thay nó)",
                f"Note: this period has {kept}; the choice is among figures of one status and "
                "that figure still counts (--knowingly to choose this one over it)",
            ),
            markup=False,
        )
