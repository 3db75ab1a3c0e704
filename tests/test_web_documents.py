"""The documents pages and API: upload a report, review its figures, resolve conflicts.

Most tests run on a database loaded without the news observations, so that
the figures of documents 001 and 002 become observations only when someone
accepts them here; one test runs the same conflict on the full dataset.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from chitieu import load_folder, transaction
from chitieu._errors import InputError
from chitieu.audit.models import AuditEntry
from chitieu.dataset.service import EMBEDDED
from chitieu.document.models import SourceDocument
from chitieu.extraction.models import ConflictChoice, ExtractedFigure
from chitieu.extraction.review import sentence_around
from chitieu.extraction.upload import safe_file_name
from chitieu.observation.models import Observation
from tests.conftest import BACKENDS, CORPUS
from tests.webkit import Web, build_web, page_csrf

GROWTH_2024 = "GRDP_GROWTH|bac_giang|2024|estimate"


def corpus_file(prefix: str) -> Path:
    matches = sorted(CORPUS.glob(f"{prefix}*"))
    assert matches, f"corpus document {prefix}… missing from {CORPUS}"
    return matches[0]


@pytest.fixture
def news_web(engine: Engine, tmp_path: Path) -> Iterator[Web]:
    """The app over the dataset without the news observations (documents 000–002's figures)
    nor the published web figures, whose 2024 growth estimates (13,87 and 13,85 from three
    pages) would join the conflict the uploads of 001 and 002 make."""
    folder = tmp_path / "dataset"
    ignored = shutil.ignore_patterns("observations_news.csv", "observations_web.csv")
    shutil.copytree(EMBEDDED, folder, ignore=ignored)
    with transaction(engine) as session:
        load_folder(session, folder=folder, documents=CORPUS)
    built = build_web(engine)
    yield built
    for client in built.clients.values():
        client.close()


# --- helpers -------------------------------------------------------------------------------


def csrf(web: Web, role: str) -> str:
    """Any signed-in page carries the token (the log-out form), even a refusal."""
    return page_csrf(web.clients[role].get("/documents").text)


def upload(
    web: Web,
    role: str,
    path: Path | None = None,
    *,
    name: str | None = None,
    content: bytes | None = None,
    region: str = "",
):
    data = content if content is not None else path.read_bytes()  # type: ignore[union-attr]
    return web.clients[role].post(
        "/documents",
        data={"csrf_token": csrf(web, role), "region": region},
        files={"file": (name or path.name, data, "application/octet-stream")},  # type: ignore[union-attr]
        follow_redirects=False,
    )


def api(web: Web, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {web.tokens[role]}"}


def api_upload(
    web: Web, role: str, path: Path, *, name: str | None = None, content: bytes | None = None
):
    return web.anonymous().post(
        "/api/v1/documents",
        headers=api(web, role),
        files={
            "file": (
                name or path.name,
                content if content is not None else path.read_bytes(),
                "text/plain",
            )
        },
    )


def document_by_hash(engine: Engine, data: bytes) -> SourceDocument | None:
    sha = hashlib.sha256(data).hexdigest()
    with transaction(engine) as session:
        return session.scalar(select(SourceDocument).where(SourceDocument.sha256 == sha))


def figures_of(engine: Engine, key: str) -> list[ExtractedFigure]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(ExtractedFigure)
                .where(ExtractedFigure.source_document.has(key=key))
                .order_by(ExtractedFigure.span_start)
            )
        )


def acceptable(engine: Engine, key: str) -> list[ExtractedFigure]:
    """Figures that can be accepted as read: one value of a known indicator in its unit."""
    with transaction(engine) as session:
        figures = session.scalars(
            select(ExtractedFigure)
            .where(
                ExtractedFigure.source_document.has(key=key),
                ExtractedFigure.review_state == "pending",
                ExtractedFigure.indicator_code.is_not(None),
                ExtractedFigure.period.is_not(None),
                ExtractedFigure.value_max.is_(None),
                ExtractedFigure.status.in_(("actual", "estimate", "preliminary")),
                ExtractedFigure.measure.in_(("level", "change_pct", "share_pct", "rank")),
            )
            .order_by(ExtractedFigure.span_start)
        )
        return [f for f in figures if f.indicator is not None and f.indicator.unit == f.unit]


def growth_2024(engine: Engine, key: str) -> ExtractedFigure:
    """The document's figure for the province's 2024 growth estimate, found by what it says."""
    found = [
        f
        for f in acceptable(engine, key)
        if f.indicator_code == "GRDP_GROWTH" and f.period == "2024" and f.status == "estimate"
    ]
    assert len(found) == 1, found
    return found[0]


def audit(engine: Engine, action: str) -> list[AuditEntry]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def counts(engine: Engine) -> tuple[int, int, int, int]:
    with transaction(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(SourceDocument)) or 0,
            session.scalar(select(func.count()).select_from(ExtractedFigure)) or 0,
            session.scalar(select(func.count()).select_from(Observation)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def rows(page: str) -> dict[int, str]:
    """The review table's rows: figure id → data-state."""
    return {
        int(figure): state
        for figure, state in re.findall(
            r'<tr id="figure-\d+" data-figure="(\d+)" data-state="(\w+)"', page
        )
    }


def section(page: str, hook: str) -> str | None:
    found = re.search(
        r'<section[^>]*data-conflict="' + re.escape(html.escape(hook)) + r'">(.*?)</section>',
        page,
        re.S,
    )
    return found.group(1) if found else None


def alert(page: str) -> str:
    found = re.search(r'role="alert"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no alert on the page"
    return html.unescape(found.group(1))


def htmx(web: Web, role: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": csrf(web, role)}


# --- uploading --------------------------------------------------------------------------------


def test_planner_uploads_002_and_sees_its_figures_pending(news_web):
    path = corpus_file("002")
    response = upload(news_web, "planner", path)
    assert response.status_code == 303
    stored = document_by_hash(news_web.engine, path.read_bytes())
    assert stored is not None
    assert response.headers["location"] == f"/documents/{stored.key}"

    page = news_web.clients["planner"].get(response.headers["location"])
    assert page.status_code == 200
    figures = figures_of(news_web.engine, stored.key)
    assert figures, "002 gave no figures"
    assert rows(page.text) == {f.id: "pending" for f in figures}
    # Pending first, the least certain first, then in the order the document states them.
    shown = [int(i) for i in re.findall(r'data-figure="(\d+)" data-state="pending"', page.text)]
    assert shown == [f.id for f in sorted(figures, key=lambda f: (f.confidence, f.span_start))]
    assert len({f.confidence for f in figures}) > 1

    listing = news_web.clients["planner"].get("/documents").text
    row = re.search(rf'<tr data-document="{re.escape(stored.key)}">(.*?)</tr>', listing, re.S)
    assert row is not None
    pending = re.search(r'data-count="pending">([\d.]+)<', row.group(1))
    assert pending and int(pending.group(1).replace(".", "")) == len(figures)

    (entry,) = audit(news_web.engine, "upload")
    assert entry.actor == "planner" and entry.entity_id == stored.key
    assert json.loads(entry.after or "{}")["new"] == len(figures)


def test_the_upload_form_has_its_hooks(news_web):
    page = news_web.clients["planner"].get("/documents").text
    assert re.search(
        r'<form id="upload" method="post" action="/documents" enctype="multipart/form-data"', page
    )
    form = page[page.index('<form id="upload"') :]
    form = form[: form.index("</form>")]
    assert '<input type="file" name="file"' in form
    assert '<select name="region">' in form and 'value="bac_giang"' in form
    assert 'type="submit"' in form


def test_a_path_in_the_file_name_is_dropped(news_web):
    # Other bytes than 002, so that a new document is stored under the uploaded name.
    content = corpus_file("002").read_bytes() + b"\n"
    response = upload(news_web, "planner", name="../../etc/passwd.txt", content=content)
    assert response.status_code == 303
    stored = document_by_hash(news_web.engine, content)
    assert stored is not None
    assert stored.file_name == "passwd.txt" and stored.title == "passwd.txt"
    assert stored.key.startswith("passwd-")
    assert response.headers["location"] == f"/documents/{stored.key}"


def test_file_names_are_only_labels():
    for name in ("../../etc/passwd.txt", "C:\\Users\\x\\..\\báo cáo.docx", "a/b/c\x00\x1b.pdf"):
        safe = safe_file_name(name)
        assert "/" not in safe and "\\" not in safe and ".." not in safe
        assert all(ch.isprintable() for ch in safe)
        assert safe.endswith(Path(name.replace("\\", "/")).suffix)
    assert safe_file_name(".txt").startswith("tai-lieu")
    assert len(safe_file_name("x" * 400 + ".html").encode()) <= 255
    for refused in ("virus.exe", "report", "bang.xlsx", "...."):
        with pytest.raises(InputError):
            safe_file_name(refused)


def test_a_too_large_upload_is_refused_with_413_and_nothing_is_written(news_web):
    limit = 4096
    news_web.app.state.settings = news_web.app.state.settings.model_copy(
        update={"max_upload_bytes": limit}
    )
    before = counts(news_web.engine)
    # Just past the limit: the body fits the multipart allowance, the copy stops it.
    response = upload(news_web, "planner", name="lon.txt", content=b"a" * (limit + 1))
    assert response.status_code == 413
    assert "quá lớn" in alert(response.text)
    # Far past it: refused on the declared length, before the body is read.
    response = upload(news_web, "planner", name="lon.txt", content=b"a" * (limit + 200_000))
    assert response.status_code == 413
    assert "quá lớn" in alert(response.text)
    api_response = api_upload(news_web, "planner", corpus_file("002"))
    assert api_response.status_code == 413
    assert "quá lớn" in api_response.json()["detail"]
    assert counts(news_web.engine) == before


def test_a_junk_pdf_gives_a_one_line_422_and_writes_nothing(news_web):
    before = counts(news_web.engine)
    junk = b"%PDF-1.7\n" + bytes(range(256)) * 40
    response = upload(news_web, "planner", name="junk.pdf", content=junk)
    assert response.status_code == 422
    message = alert(response.text).strip()
    assert message and "\n" not in message and "junk.pdf" in message
    # The page is the documents page again, with its form.
    assert 'id="upload"' in response.text
    assert counts(news_web.engine) == before


def test_an_unsupported_kind_is_refused(news_web):
    response = upload(news_web, "planner", name="bang.xlsx", content=b"PK\x03\x04 not really")
    assert response.status_code == 422
    assert ".xlsx" in alert(response.text)


def test_html_in_a_document_is_escaped_on_the_review_page(news_web):
    text = corpus_file("002").read_text(encoding="utf-8")
    injected = text.replace("13,85%,", "13,85% <img src=x onerror=alert(1)>,", 1)
    assert injected != text
    response = upload(news_web, "planner", name="tin.txt", content=injected.encode())
    assert response.status_code == 303
    page = news_web.clients["planner"].get(response.headers["location"]).text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_sentence_is_cut_at_its_ends():
    text = "Câu trước.Năm 2024 tăng 13,85% so với năm trước; câu sau.\nDòng khác"
    start = text.index("13,85")
    before, marked, after = sentence_around(text, start, start + 5)
    assert marked == "13,85"
    assert before == "Năm 2024 tăng "
    assert after == "% so với năm trước;"
    # A thousands separator is not the end of a sentence.
    text = "Diện tích 2.474,8 ha, lấp đầy 63,97%. Tiếp theo"
    start = text.index("63,97")
    before, _marked, after = sentence_around(text, start, start + 5)
    assert before == "Diện tích 2.474,8 ha, lấp đầy " and after == "%."


STATISTICS = (
    "CỤC THỐNG KÊ TỈNH BẮC GIANG\n"
    "Tình hình kinh tế - xã hội tháng 6 và 6 tháng đầu năm 2024\n"
    "Bắc Giang, ngày 29 tháng 6 năm 2024\n\n"
    "Tổng sản phẩm trên địa bàn (GRDP) 6 tháng đầu năm ước tăng 13,45% so với cùng kỳ. "
    "Kim ngạch xuất khẩu đạt 14.920 triệu USD; toàn tỉnh có 61 nhà văn hóa được sửa chữa.\n"
)


def cues_of(page: str, figure_id: int) -> list[str]:
    """The cues the review table shows beside a figure's sentence."""
    row = re.search(rf'<tr id="figure-{figure_id}".*?</tr>', page, re.S)
    assert row is not None
    return [
        " ".join(html.unescape(cue).split())
        for cue in re.findall(r"<li data-cue-confidence=[^>]*>(.*?) <span", row.group(0), re.S)
    ]


def test_the_document_page_shows_what_the_document_says_about_itself(news_web):
    response = upload(news_web, "planner", name="bg-thang-6.txt", content=STATISTICS.encode())
    assert response.status_code == 303
    page = news_web.clients["planner"].get(response.headers["location"]).text
    model = re.search(r'<section class="document-model".*?</section>', page, re.S)
    assert model is not None
    facts = dict(
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", model.group(0))
    )
    assert facts == {
        "Ngày": "29/06/2024",
        "Kỳ báo cáo": "tháng 6/2024; 6 tháng đầu năm 2024",
        "Loại văn bản": "báo cáo thống kê",
        "Địa bàn": "Bắc Giang",
    }
    english = news_web.clients["planner"].get(response.headers["location"] + "?lang=en").text
    assert "statistics report" in english and "first half of 2024" in english


def test_the_queue_puts_the_least_certain_figures_first_with_their_cues(news_web):
    response = upload(news_web, "planner", name="bg-thang-6.txt", content=STATISTICS.encode())
    key = response.headers["location"].removeprefix("/documents/")
    page = news_web.clients["planner"].get(f"/documents/{key}").text
    figures = {f.id: f for f in figures_of(news_web.engine, key)}
    shown = [int(i) for i in re.findall(r'data-figure="(\d+)" data-state="pending"', page)]
    assert sorted(shown) == sorted(figures)
    confidences = [figures[i].confidence for i in shown]
    assert confidences == sorted(confidences) and confidences[0] < confidences[-1]
    # The halls are in no indicator of the catalogue: the least certain, first.
    first = figures[shown[0]]
    assert first.value == 61 and first.indicator_code is None
    growth = next(f for f in figures.values() if f.value == 13.45)
    assert cues_of(page, growth.id) == [
        "kỳ: trong câu '6 tháng đầu năm'",
        "trạng thái: 'ước tăng'",
        "chỉ tiêu: 'GRDP … 13,45%'",
        "địa bàn: tỉnh của văn bản (tiêu đề, đoạn mở đầu)",
    ]
    # Once reviewed, a figure leaves the queue for the reviewed ones below it.
    news_web.clients["planner"].post(
        f"/figures/{first.id}",
        data={"action": "reject", "reason": "không phải chỉ tiêu"},
        headers=htmx(news_web, "planner"),
    )
    page = news_web.clients["planner"].get(f"/documents/{key}").text
    assert list(rows(page))[-1] == first.id


# --- reviewing --------------------------------------------------------------------------------


def test_accept_reject_and_correct_on_the_review_page(news_web):
    engine = news_web.engine
    path = corpus_file("002")
    key = upload(news_web, "planner", path).headers["location"].removeprefix("/documents/")
    first, second, third = acceptable(engine, key)[:3]
    observations_before = counts(engine)[2]

    # Accept, as htmx does it: the answer is the row, now accepted.
    response = news_web.clients["planner"].post(
        f"/figures/{first.id}", data={"action": "accept"}, headers=htmx(news_web, "planner")
    )
    assert response.status_code == 200
    assert rows(response.text) == {first.id: "accepted"}
    assert "<html" not in response.text
    # The page's counts by review state come along, swapped out of band, and add the accepted one.
    oob = re.search(
        r'<div class="counts" id="review-counts" hx-swap-oob="true">.*?</div>', response.text, re.S
    )
    assert oob, response.text
    with transaction(engine) as session:
        accepted = session.scalar(
            select(func.count())
            .select_from(ExtractedFigure)
            .where(
                ExtractedFigure.source_document.has(key=key),
                ExtractedFigure.review_state == "accepted",
            )
        )
    assert re.search(
        rf'data-count-state="accepted" [^>]*><strong>{accepted}</strong>', oob.group(0)
    )
    with transaction(engine) as session:
        figure = session.get(ExtractedFigure, first.id)
        assert figure is not None and figure.review_state == "accepted"
        observation = figure.observation
        assert observation is not None
        assert observation.indicator_code == first.indicator_code
        assert observation.value == first.value and observation.period == first.period
        assert observation.source_document.key == key
        assert (observation.span_start, observation.span_end) == (first.span_start, first.span_end)
        assert observation.recorded_by == "planner"
    assert counts(engine)[2] == observations_before + 1

    # Reject without JavaScript: the form posts and the page comes back.
    response = news_web.clients["planner"].post(
        f"/figures/{second.id}",
        data={
            "action": "reject",
            "reason": "trùng số liệu khác",
            "csrf_token": csrf(news_web, "planner"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/documents/{key}#figure-{second.id}"
    with transaction(engine) as session:
        figure = session.get(ExtractedFigure, second.id)
        assert figure is not None and figure.review_state == "rejected"
        assert figure.review_note == "trùng số liệu khác" and figure.reviewed_by == "planner"

    # Correct: the observation takes the new status, the figure keeps what was read.
    new_status = next(s for s in ("preliminary", "actual") if s != third.status)
    response = news_web.clients["planner"].post(
        f"/figures/{third.id}",
        data={"action": "correct", "status": new_status, "note": "theo niên giám"},
        headers=htmx(news_web, "planner"),
    )
    assert response.status_code == 200 and rows(response.text) == {third.id: "accepted"}
    with transaction(engine) as session:
        figure = session.get(ExtractedFigure, third.id)
        assert figure is not None and figure.status == third.status
        assert figure.observation is not None and figure.observation.status == new_status
        assert "theo niên giám" in (figure.observation.note or "")

    assert [e.entity_id for e in audit(engine, "accept")] == [str(first.id)]
    assert [e.entity_id for e in audit(engine, "reject")] == [str(second.id)]
    (corrected,) = audit(engine, "correct")
    assert corrected.entity_id == str(third.id) and corrected.actor == "planner"
    assert json.loads(corrected.before or "{}")["review_state"] == "pending"
    assert json.loads(corrected.after or "{}")["status"] == new_status

    page = news_web.clients["planner"].get(f"/documents/{key}").text
    states = rows(page)
    assert (states[first.id], states[second.id], states[third.id]) == (
        "accepted",
        "rejected",
        "accepted",
    )
    order = list(rows(page).values())
    assert order == sorted(order, key=["pending", "accepted", "rejected"].index)
    only = rows(news_web.clients["planner"].get(f"/documents/{key}?state=rejected").text)
    assert only == {second.id: "rejected"}


def test_a_refused_review_shows_in_the_row_and_changes_nothing(news_web):
    key = (
        upload(news_web, "planner", corpus_file("002"))
        .headers["location"]
        .removeprefix("/documents/")
    )
    figure = acceptable(news_web.engine, key)[0]
    before = counts(news_web.engine)
    response = news_web.clients["planner"].post(
        f"/figures/{figure.id}", data={"action": "reject"}, headers=htmx(news_web, "planner")
    )
    assert response.status_code == 200
    assert rows(response.text) == {figure.id: "pending"}
    assert "lý do" in alert(response.text)
    response = news_web.clients["planner"].post(
        f"/figures/{figure.id}",
        data={"action": "correct", "period": "năm ngoái"},
        headers=htmx(news_web, "planner"),
    )
    assert rows(response.text) == {figure.id: "pending"}
    assert "năm ngoái" in alert(response.text)
    # Without JavaScript the refusal is the error page.
    response = news_web.clients["planner"].post(
        f"/figures/{figure.id}",
        data={"action": "reject", "csrf_token": csrf(news_web, "planner")},
    )
    assert response.status_code == 422
    assert counts(news_web.engine) == before
    assert (
        news_web.clients["planner"]
        .post("/figures/999999", data={"action": "accept"}, headers=htmx(news_web, "planner"))
        .status_code
        == 404
    )


# --- conflicts ---------------------------------------------------------------------------------


def test_the_2024_growth_conflict_appears_once_accepted_and_is_resolved_on_the_page(news_web):
    engine = news_web.engine
    client = news_web.clients["planner"]
    keys = [
        upload(news_web, "planner", corpus_file(prefix))
        .headers["location"]
        .removeprefix("/documents/")
        for prefix in ("001", "002")
    ]
    figures = [growth_2024(engine, key) for key in keys]
    assert {f.value for f in figures} == {14.5, 13.85}
    waiting = section(client.get("/conflicts").text, GROWTH_2024)
    assert waiting is None or 'name="observation_id"' not in waiting

    for figure in figures:
        response = client.post(
            f"/figures/{figure.id}", data={"action": "accept"}, headers=htmx(news_web, "planner")
        )
        assert rows(response.text) == {figure.id: "accepted"}
    with transaction(engine) as session:
        by_value = {
            f.value: f.observation_id
            for f in (session.get(ExtractedFigure, figure.id) for figure in figures)
            if f is not None
        }

    page = client.get("/conflicts")
    assert page.status_code == 200
    found = section(page.text, GROWTH_2024)
    assert found is not None, "no 2024 growth conflict on /conflicts"
    radios = {int(v) for v in re.findall(r'name="observation_id" value="(\d+)"', found)}
    # The period's actual is offered too: estimates are chosen between with it in view.
    assert set(by_value.values()) <= radios
    assert 'name="knowingly"' in found
    assert "<mark>14,5</mark>" in found and "<mark>13,85</mark>" in found
    assert '<textarea name="reason"' in found
    assert '<button type="submit" name="action" value="choose">' in found

    reason = "số liệu của Cục Thống kê, công bố sau"
    response = client.post(
        "/conflicts/choose",
        data={
            "observation_id": str(by_value[13.85]),
            "reason": reason,
            "action": "choose",
            "csrf_token": page_csrf(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with transaction(engine) as session:
        choice = session.scalars(select(ConflictChoice).order_by(ConflictChoice.id.desc())).first()
        assert choice is not None
        assert (choice.observation_id, choice.chosen_by, choice.reason) == (
            by_value[13.85],
            "planner",
            reason,
        )
    resolved = section(client.get("/conflicts").text, GROWTH_2024)
    assert resolved is not None
    assert f'data-choice="{by_value[13.85]}"' in resolved and html.escape(reason) in resolved
    (entry,) = audit(engine, "choose")
    assert entry.actor == "planner" and json.loads(entry.after or "{}")["reason"] == reason


def test_the_2024_conflict_is_resolvable_on_the_full_dataset_after_uploading_002(web):
    client = web.clients["planner"]
    path = corpus_file("002")
    key = upload(web, "planner", path).headers["location"].removeprefix("/documents/")
    figure = growth_2024(web.engine, key)
    response = client.post(
        f"/figures/{figure.id}", data={"action": "accept"}, headers=htmx(web, "planner")
    )
    assert rows(response.text) == {figure.id: "accepted"}
    with transaction(web.engine) as session:
        accepted = session.get(ExtractedFigure, figure.id)
        assert accepted is not None and accepted.observation is not None
        chosen = accepted.observation.id
        assert accepted.observation.value == figure.value
    page = client.get("/conflicts").text
    found = section(page, GROWTH_2024)
    assert found is not None and f'value="{chosen}"' in found
    response = client.post(
        "/conflicts/choose",
        data={
            "observation_id": str(chosen),
            "reason": "theo báo cáo chính thức",
            "csrf_token": page_csrf(page),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    resolved = section(client.get("/conflicts").text, GROWTH_2024)
    assert resolved is not None and f'data-choice="{chosen}"' in resolved


def test_choosing_needs_a_figure_and_a_reason(news_web):
    client = news_web.clients["planner"]
    token = csrf(news_web, "planner")
    before = counts(news_web.engine)
    assert (
        client.post("/conflicts/choose", data={"reason": "x", "csrf_token": token}).status_code
        == 422
    )
    with transaction(news_web.engine) as session:
        observation_id = session.scalar(select(func.min(Observation.id)))
    response = client.post(
        "/conflicts/choose",
        data={"observation_id": str(observation_id), "reason": "  ", "csrf_token": token},
    )
    assert response.status_code == 422 and "lý do" in alert(response.text)
    assert counts(news_web.engine) == before


def test_the_pages_speak_english_on_request(news_web):
    client = news_web.clients["planner"]
    key = (
        upload(news_web, "planner", corpus_file("002"))
        .headers["location"]
        .removeprefix("/documents/")
    )
    assert "Upload a report" in client.get("/documents?lang=en").text
    review_page = client.get(f"/documents/{key}?lang=en").text
    assert "Correct and accept" in review_page and "Chấp nhận" not in review_page
    assert "Figures that disagree" in client.get("/conflicts?lang=en").text


# --- who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agency_editor", "viewer"])
def test_only_reviewers_reach_the_documents_pages(news_web, role):
    key = (
        upload(news_web, "planner", corpus_file("002"))
        .headers["location"]
        .removeprefix("/documents/")
    )
    figure = figures_of(news_web.engine, key)[0]
    client = news_web.clients[role]
    token = csrf(news_web, role)
    before = counts(news_web.engine)
    assert client.get("/documents").status_code == 403
    assert client.get(f"/documents/{key}").status_code == 403
    assert client.get("/conflicts").status_code == 403
    assert upload(news_web, role, corpus_file("001")).status_code == 403
    assert (
        client.post(
            f"/figures/{figure.id}", data={"action": "accept", "csrf_token": token}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/conflicts/choose", data={"observation_id": "1", "reason": "x", "csrf_token": token}
        ).status_code
        == 403
    )

    headers = api(news_web, role)
    anonymous = news_web.anonymous()
    assert anonymous.get("/api/v1/documents", headers=headers).status_code == 403
    assert api_upload(news_web, role, corpus_file("001")).status_code == 403
    assert anonymous.get(f"/api/v1/documents/{key}/figures", headers=headers).status_code == 403
    for action, body in (
        ("accept", None),
        ("reject", {"reason": "x"}),
        ("correct", {"status": "actual"}),
    ):
        assert (
            anonymous.post(
                f"/api/v1/figures/{figure.id}/{action}", headers=headers, json=body
            ).status_code
            == 403
        )
    assert anonymous.get("/api/v1/conflicts", headers=headers).status_code == 403
    assert (
        anonymous.post(
            "/api/v1/conflicts/choose", headers=headers, json={"observation_id": 1, "reason": "x"}
        ).status_code
        == 403
    )
    assert counts(news_web.engine) == before


def test_the_documents_api_needs_a_signed_in_reviewer(news_web):
    anonymous = news_web.anonymous()
    assert anonymous.get("/api/v1/documents").status_code == 401
    assert anonymous.get("/api/v1/conflicts").status_code == 401
    assert anonymous.get("/documents", follow_redirects=False).status_code == 303


def test_forms_without_the_csrf_token_are_refused(news_web):
    client = news_web.clients["planner"]
    path = corpus_file("002")
    response = client.post(
        "/documents", files={"file": (path.name, path.read_bytes(), "text/plain")}
    )
    assert response.status_code == 403
    assert client.post("/figures/1", data={"action": "accept"}).status_code == 403
    assert audit(news_web.engine, "upload") == []


# --- the API, on both databases ------------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_api_upload_review_and_choose(news_web):
    client = news_web.anonymous()
    headers = api(news_web, "planner")
    keys = []
    for prefix in ("001", "002"):
        response = api_upload(news_web, "planner", corpus_file(prefix))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["document_new"] is False  # the corpus documents are known by their hash
        assert body["new"] == body["found"] - len(body["skipped"]) > 0
        keys.append(body["document"])
    again = api_upload(news_web, "planner", corpus_file("002")).json()
    assert again["new"] == 0

    listed = {d["key"]: d for d in client.get("/api/v1/documents", headers=headers).json()}
    figures = client.get(f"/api/v1/documents/{keys[1]}/figures", headers=headers).json()
    assert listed[keys[1]]["pending"] == len(figures) == len(figures_of(news_web.engine, keys[1]))
    assert {f["state"] for f in figures} == {"pending"}
    assert all("«" not in f["sentence"] and f["text"] for f in figures)
    # Each figure carries its cues and confidence, as `chitieu extract --explain` gives them.
    assert all(set(f["why"]) == {"period", "status", "indicator", "region"} for f in figures)
    assert all(f["confidence"] == min(c["confidence"] for c in f["why"].values()) for f in figures)

    growth = [growth_2024(news_web.engine, key) for key in keys]
    observation_of = {}
    for figure in growth:
        response = client.post(f"/api/v1/figures/{figure.id}/accept", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "accepted"
        observation_of[figure.value] = response.json()["observation_id"]
    assert client.post(f"/api/v1/figures/{growth[0].id}/accept", headers=headers).status_code == 409

    others = acceptable(news_web.engine, keys[1])
    rejected = client.post(
        f"/api/v1/figures/{others[0].id}/reject", headers=headers, json={"reason": "trùng"}
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert rejected.json()["review_note"] == "trùng"
    corrected = client.post(
        f"/api/v1/figures/{others[1].id}/correct",
        headers=headers,
        json={"value": others[1].value, "status": "preliminary", "note": "số sơ bộ"},
    )
    assert corrected.status_code == 200, corrected.text
    with transaction(news_web.engine) as session:
        observation = session.get(Observation, corrected.json()["observation_id"])
        assert observation is not None and observation.status == "preliminary"
        assert observation.value == others[1].value and "số sơ bộ" in (observation.note or "")
    state = client.get(
        f"/api/v1/documents/{keys[1]}/figures?state=rejected", headers=headers
    ).json()
    assert [f["id"] for f in state] == [others[0].id]

    conflicts = {
        f"{c['indicator']}|{c['region'] or ''}|{c['period']}|{c['status']}": c
        for c in client.get("/api/v1/conflicts", headers=headers).json()
    }
    members = conflicts[GROWTH_2024]["members"]
    # The period's figures of other statuses are listed too (the actual), as context.
    estimates = {m["observation_id"] for m in members if m["status"] == "estimate"}
    assert estimates == set(observation_of.values())
    assert {m["status"] for m in members} - {"estimate"} <= {"actual", "preliminary"}
    chosen = client.post(
        "/api/v1/conflicts/choose",
        headers=headers,
        json={"observation_id": observation_of[13.85], "reason": "Cục Thống kê"},
    )
    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["chosen_by"] == "planner" and chosen.json()["value"] == 13.85
    after = {
        f"{c['indicator']}|{c['region'] or ''}|{c['period']}|{c['status']}": c
        for c in client.get("/api/v1/conflicts", headers=headers).json()
    }[GROWTH_2024]
    assert after["choice"]["observation_id"] == observation_of[13.85]
    assert after["choice"]["reason"] == "Cục Thống kê"
    assert [
        m["chosen"] for m in after["members"] if m["observation_id"] == observation_of[13.85]
    ] == [True]
    assert [e.action for e in audit(news_web.engine, "choose")] == ["choose"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_api_refuses_bad_input_with_4xx(news_web):
    client = news_web.anonymous()
    headers = api(news_web, "planner")
    key = api_upload(news_web, "planner", corpus_file("002")).json()["document"]
    figure = acceptable(news_web.engine, key)[0]
    before = counts(news_web.engine)
    # Strict bodies: a boolean or a string is not a number.
    for body in (
        {"value": True},
        {"value": "13,85"},
        {"status": "guess"},
        {"extra": 1},
        {"period": "a\x00b"},
    ):
        response = client.post(f"/api/v1/figures/{figure.id}/correct", headers=headers, json=body)
        assert response.status_code == 422, body
    assert (
        client.post(
            f"/api/v1/figures/{figure.id}/reject", headers=headers, json={"reason": ""}
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/figures/{figure.id}/correct", headers=headers, json={"period": "hôm qua"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/v1/figures/{figure.id}/correct", headers=headers, json={"indicator": "KHONG_CO"}
        ).status_code
        == 404
    )
    assert client.post("/api/v1/figures/2147483647/accept", headers=headers).status_code == 404
    assert client.post("/api/v1/figures/2147483648/accept", headers=headers).status_code == 422
    assert client.get("/api/v1/documents/khong-co/figures", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/documents/{key}/figures?state=maybe", headers=headers).status_code
        == 422
    )
    choose = {"observation_id": 2147483647, "reason": "x"}
    assert client.post("/api/v1/conflicts/choose", headers=headers, json=choose).status_code == 404
    assert (
        client.post(
            "/api/v1/conflicts/choose", headers=headers, json={"observation_id": "1", "reason": "x"}
        ).status_code
        == 422
    )
    junk = api_upload(
        news_web,
        "planner",
        corpus_file("002"),
        name="junk.pdf",
        content=b"%PDF-1.7\n" + bytes(range(256)) * 40,
    )
    assert junk.status_code == 422 and "\n" not in junk.json()["detail"]
    # The pages' forms refuse NUL too, rather than pass it to the database.
    page = news_web.clients["planner"]
    for field in ("reason", "indicator", "period", "region"):
        response = page.post(
            f"/figures/{figure.id}",
            data={"action": "correct", field: "a\x00b"},
            headers=htmx(news_web, "planner"),
        )
        assert response.status_code == 422, field
    response = upload(news_web, "planner", corpus_file("001"), region="bac\x00giang")
    assert response.status_code == 422
    assert counts(news_web.engine) == before
