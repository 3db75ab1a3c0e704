"""The periodic report: built from the database as plain data, written as HTML, PDF or DOCX.

``build_report`` reads the plan, its targets' assessments, the recorded
figures and their sources, the tasks and the conflicts, and returns a
:class:`~chitieu.report.model.Report` whose texts are final. ``write_report``
lays it out in one format and writes the file atomically: the bytes are made
in memory, written to a temporary file beside the target and renamed over it,
so an error leaves no half-written file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import InputError, NotFoundError
from chitieu.assessment.series import choices_read_ahead, series_memo
from chitieu.assessment.service import STATUSES
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import series_read_ahead
from chitieu.plan.dashboard import overview, plan_ended, status_word
from chitieu.plan.in_force import plan_in_force
from chitieu.plan.models import Plan
from chitieu.region.models import Region
from chitieu.region.service import lineage, successions_read_ahead
from chitieu.report.analytics import analytics_section
from chitieu.report.context import Context
from chitieu.report.continuity import continuity_section
from chitieu.report.followup import conflicts_section, tasks_section
from chitieu.report.model import FORMATS, LANGS, Paragraph, Report, Section
from chitieu.report.outlook import outlook_section
from chitieu.report.results import results_section
from chitieu.report.sources import Annex
from chitieu.report.targets import targets_section
from chitieu.report.text import region_name
from chitieu.report.verdicts import verdicts_section


def build_report(
    session: Session,
    *,
    plan: Plan | None = None,
    region: Region | None = None,
    as_of: date,
    lang: str = "vi",
    draw_charts_ahead: bool = False,
) -> Report:
    """The report on ``plan`` (the newest by default) for ``region`` (the plan's), at ``as_of``.

    With ``draw_charts_ahead`` the charts are drawn as SVG in the background while the
    report is built, for a report to be written as HTML or PDF.
    """
    # Every section follows merged regions' lineage: the mergers are read once.
    with successions_read_ahead(session):
        return _build(
            session, plan=plan, region=region, as_of=as_of, lang=lang, ahead=draw_charts_ahead
        )


@contextmanager
def _series_read_ahead(session: Session, region: Region) -> Iterator[None]:
    """The region's series read once, its former parts' too, and each one's points worked out once.

    The sections ask for the same series again and again (the figures, the trajectories,
    the odds; a merged region's years before the merger are recomputed from its parts'),
    a query each: over a thousand for a province of the national dataset. The
    assessment's own reading, nested inside, is unchanged.
    """
    codes = list(session.scalars(select(Indicator.code)))
    series = {(code, part.id) for part in lineage(session, region=region) for code in codes}
    with (
        series_read_ahead(session, series=series),
        choices_read_ahead(session),
        series_memo(session),
    ):
        yield


def _build(
    session: Session,
    *,
    plan: Plan | None,
    region: Region | None,
    as_of: date,
    lang: str,
    ahead: bool,
) -> Report:
    if lang not in LANGS:
        raise InputError(f"ngôn ngữ '{lang}' không hợp lệ (vi, en)")
    chosen_note = None
    if plan is None:
        found = plan_in_force(session, as_of=as_of, lang=lang)
        plan, chosen_note = found.plan, found.note
    if plan is None:
        raise NotFoundError("chưa có kế hoạch nào; hãy nạp dữ liệu trước (chitieu load)")
    ended = plan_ended(plan, as_of)
    region = region or plan.region
    with _series_read_ahead(session, region):
        return _sections(
            session,
            plan=plan,
            region=region,
            as_of=as_of,
            lang=lang,
            ended=ended,
            chosen_note=chosen_note,
            ahead=ahead,
        )


def _sections(
    session: Session,
    *,
    plan: Plan,
    region: Region,
    as_of: date,
    lang: str,
    ended: bool,
    chosen_note: str | None,
    ahead: bool,
) -> Report:
    ctx = Context(
        session=session,
        plan=plan,
        region=region,
        as_of=as_of,
        lang=lang,
        overview=overview(session, plan=plan, as_of=as_of, region=region, lang=lang),
        annex=Annex(lang),
        first_year=plan.horizon_start - 1,
        last_year=min(plan.horizon_end, as_of.year),
        draw_ahead=ahead,
    )
    sections = [
        _context_section(ctx),
        *([verdicts_section(ctx)] if ended else []),
        results_section(ctx),
        targets_section(ctx),
        analytics_section(ctx),
        outlook_section(ctx),
        tasks_section(ctx),
        conflicts_section(ctx),
    ]
    succeeded = continuity_section(ctx)
    if succeeded is not None:
        sections.append(succeeded)
    document = f" ({plan.document_number})" if plan.document_number else ""
    named = ctx.t(plan.title, plan.title_en or plan.title) + document
    return Report(
        lang=lang,
        plan=plan.code,
        title=(
            ctx.t("BÁO CÁO TỔNG KẾT THỰC HIỆN KẾ HOẠCH", "FINAL REPORT ON THE PLAN")
            if ended
            else ctx.t("BÁO CÁO TÌNH HÌNH THỰC HIỆN KẾ HOẠCH", "PROGRESS REPORT ON THE PLAN")
        ),
        subtitle=named,
        region=region_name(region, lang),
        as_of=as_of,
        generated_on=date.today(),
        facts=[
            (ctx.t("Kế hoạch", "Plan"), named),
            (ctx.t("Địa bàn", "Region"), region_name(region, lang)),
            (ctx.t("Thời kỳ kế hoạch", "Plan period"), _horizon(plan)),
            (ctx.t("Kỳ báo cáo", "Reporting window"), f"{ctx.first_year}–{ctx.last_year}"),
            (ctx.t("Số liệu đến ngày", "Figures known by"), _format.day(as_of)),
            (ctx.t("Ngày lập", "Written on"), _format.day(date.today())),
            *([(ctx.t("Kế hoạch được chọn", "Plan chosen"), chosen_note)] if chosen_note else []),
        ],
        sections=sections,
        annex=ctx.annex.entries,
        annex_heading=ctx.t("PHỤ LỤC: NGUỒN CỦA CÁC SỐ LIỆU", "ANNEX: THE SOURCES OF THE FIGURES"),
        words={
            "chart": ctx.t("Biểu đồ", "Chart"),
            "table": ctx.t("Bảng", "Table"),
            "page": ctx.t("Trang", "Page"),
            "of": ctx.t("/", "of"),
            "source": ctx.t("Nguồn", "Source"),
            "quote": ctx.t("Trích", "Quote"),
            "note": ctx.t("Ghi chú", "Note"),
            "others": ctx.t("nguồn khác", "other sources"),
            "chosen": ctx.t("số được chọn", "chosen figure"),
            "generated": ctx.t("Lập bằng chitieu", "Written by chitieu"),
        },
    )


def _horizon(plan: Plan) -> str:
    if plan.horizon_start == plan.horizon_end:
        return str(plan.horizon_start)
    return f"{plan.horizon_start}–{plan.horizon_end}"


def _context_section(ctx: Context) -> Section:
    """Section I: the plan, the period, where the figures come from, the verdict in one line."""
    plan, region, lang = ctx.plan, ctx.region, ctx.lang
    section = Section(ctx.t("I. KỲ BÁO CÁO VÀ BỐI CẢNH", "I. THE PERIOD AND THE CONTEXT"))
    number = f" ({plan.document_number})" if plan.document_number else ""
    issued_vi = f", ban hành ngày {_format.day(plan.issued_on)}" if plan.issued_on else ""
    issued_en = f", issued on {_format.day(plan.issued_on)}" if plan.issued_on else ""
    targets = len(ctx.overview.rows)
    section.add(
        Paragraph(
            ctx.t(
                f"Báo cáo tổng hợp tình hình thực hiện {plan.title}{number}{issued_vi}, "
                f"thời kỳ kế hoạch {_horizon(plan)}, trên địa bàn {region.name}, theo các số "
                f"liệu đã ghi nhận đến ngày {_format.day(ctx.as_of)}. Kế hoạch đặt {targets} "
                "mục tiêu; báo cáo xét các số liệu từ năm trước khi kế hoạch bắt đầu đến năm "
                f"{ctx.last_year}.",
                f"This report follows {plan.title}{number}{issued_en}, over {_horizon(plan)}, "
                f"in {region_name(region, lang)}, on the figures recorded by "
                f"{_format.day(ctx.as_of)}. The plan sets {targets} targets; the report looks "
                f"at the figures from the year before the plan began to {ctx.last_year}.",
            )
        )
    )
    documents, batches, figures = _sources(ctx)
    section.add(
        Paragraph(
            ctx.t(
                f"Cơ sở dữ liệu giữ {figures} số liệu của địa bàn đến ngày này, lấy từ "
                f"{documents} văn bản và {batches} tệp báo cáo của các cơ quan. Mỗi số liệu "
                "trong báo cáo có số thứ tự [n] dẫn đến nguồn của nó (văn bản và câu trích, "
                "hoặc tệp nhập) trong phụ lục. “Thực hiện” là số đã có kết quả chính thức; "
                "“ước tính” là số ước trước khi kỳ kết thúc hoặc trước số chính thức.",
                f"The database holds {figures} figures for the region by that date, taken from "
                f"{documents} documents and {batches} files submitted by agencies. Every figure "
                "in this report carries a number [n] leading to its source in the annex (the "
                "document and the quoted sentence, or the imported file). “Actual” figures are "
                "final; “estimates” were made before the period ended or before the final count.",
            )
        )
    )
    counts = Counter(row.status for row in ctx.overview.rows)
    parts = [
        f"{counts[status]} {status_word(status, lang)}" for status in STATUSES if counts[status]
    ]
    if parts:
        section.add(
            Paragraph(
                ctx.t("Đánh giá chung các mục tiêu: ", "The targets at a glance: ")
                + "; ".join(parts)
                + "."
            )
        )
    return section


def _sources(ctx: Context) -> tuple[int, int, int]:
    """Documents, imported files and figures behind the region's figures known by ``as_of``."""
    known = (
        # Every figure's indicator is in the catalogue (a foreign key): naming them lets
        # the database read the region's figures through the series index, where the
        # region alone scanned the whole table (1.5 s on the national dataset).
        Observation.indicator_code.in_(select(Indicator.code)),
        Observation.region_id == ctx.region.id,
        Observation.period_end <= ctx.as_of,
    )
    counted = select(
        func.count(func.distinct(Observation.source_document_id)),
        func.count(func.distinct(Observation.import_batch_id)),
        func.count(),
    ).where(*known)
    documents, batches, figures = ctx.session.execute(counted).one()
    return documents or 0, batches or 0, figures or 0


def destination(out: Path) -> Path:
    """``out`` if a file can be written there; an InputError naming the problem otherwise."""
    target = Path(out).expanduser()
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"không ghi được {target}: thư mục {folder} không tồn tại")
    if target.is_dir():
        raise InputError(f"không ghi được {target}: đó là một thư mục")
    return target


def write_report(report: Report, *, format: str, out: Path, template: Path | None = None) -> Path:
    """Write ``report`` to ``out`` as ``format`` (html, pdf, docx), all or nothing."""
    if format not in FORMATS:
        raise InputError(f"định dạng '{format}' không hợp lệ (html, pdf, docx)")
    target = destination(out)
    folder = target.parent
    content = _render(report, format, template)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"không ghi được {target}: {exc.strerror}") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private; a report is for sharing.
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"không ghi được {target}: {exc.strerror}") from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _render(report: Report, format: str, template: Path | None) -> bytes:
    # Imported here: WeasyPrint takes half a second to import, and HTML does not need it.
    if format == "html":
        from chitieu.report.html import render_html

        return render_html(report).encode("utf-8")
    if format == "pdf":
        from chitieu.report.pdf import render_pdf

        return render_pdf(report)
    from chitieu.report.docx import render_docx

    return render_docx(report, template=template)
