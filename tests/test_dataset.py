"""The embedded dataset against the documents it came from (read from ../shared)."""

import csv
import re
import shutil

import pytest
from sqlalchemy import select

from chitieu import EMBEDDED, RowsRejectedError, get_plan, list_targets, load_folder, transaction
from chitieu._models import Observation, SourceDocument, Task
from tests.conftest import BACKENDS, CORPUS, SHARED, corpus_text


def _cell_bounds(cell: str) -> tuple[float, float] | None:
    """A table cell as the document writes it: '12-13', '61,0', '2.274', '-'."""
    cell = re.sub(r"<sup>.*?</sup>", "", cell).strip()
    if cell in ("", "-"):
        return None
    parts = [p.strip().replace(".", "").replace(",", ".") for p in cell.split("-")]
    low, high = float(parts[0]), float(parts[-1])
    return low, high


def _decision_table_cells() -> dict[tuple[int, int], tuple[float, float]]:
    """(line start offset, column) -> bounds for every target cell of section 2.2's table."""
    text = corpus_text("004_")
    start = text.index("STT\tChỉ tiêu\tĐơn vị tính")
    end = text.index("(\\*) Tốc độ tăng bình quân")
    cells = {}
    offset = start
    for line in text[start:end].split("\n"):
        columns = line.split("\t")
        # The structure headings ("Cơ cấu kinh tế", "Cơ cấu lao động") total 100 by definition.
        is_heading = columns[1].startswith("Cơ cấu") if len(columns) > 1 else False
        if len(columns) == 6 and columns[0] != "STT" and "năm" not in columns[4] and not is_heading:
            for column in (4, 5):
                bounds = _cell_bounds(columns[column])
                if bounds is not None:
                    cells[(offset, column)] = bounds
        offset += len(line) + 1
    return cells


def test_decision_249_targets_are_its_table_exactly(loaded_sqlite):
    text = corpus_text("004_")
    cells = _decision_table_cells()
    with transaction(loaded_sqlite) as session:
        targets = list_targets(session, plan=get_plan(session, code_or_number="249/QĐ-UBND"))
        found = {}
        for target in targets:
            line_start = text.rfind("\n", 0, target.span_start) + 1
            column = text[line_start : target.span_start].count("\t")
            found[(line_start, column)] = (target.minimum, target.maximum)
            assert target.period.endswith("2025" if column == 4 else "2030")
    assert found == cells
    assert len(targets) == len(cells) == 58


def test_decision_249_keeps_ranges_and_period_averages(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        plan = get_plan(session, code_or_number="249/QĐ-UBND")
        by_key = {(t.indicator_code, t.period): t for t in list_targets(session, plan=plan)}
        rows = {t.row for t in plan.targets}
    growth = by_key[("GRDP_GROWTH", "2019/2025")]
    assert (growth.measure, growth.minimum, growth.maximum) == ("average_growth", 12, 13)
    assert by_key[("GRDP_GROWTH", "2026/2030")].maximum == 10
    productivity = by_key[("LABOUR_PRODUCTIVITY_GROWTH", "2019/2025")]
    assert (productivity.measure, productivity.baseline_period) == ("average_growth", "2011/2018")
    assert (
        by_key[("URBANISATION_RATE", "2025")].minimum,
        by_key[("URBANISATION_RATE", "2025")].maximum,
    ) == (35, 38)
    assert (by_key[("ICOR", "2030")].minimum, by_key[("ICOR", "2030")].maximum) == (4, 5)
    poverty = by_key[("POVERTY_REDUCTION", "2019/2025")]
    assert (poverty.measure, poverty.minimum, poverty.maximum) == ("change_per_year", 2, 3)
    assert {str(n) for n in range(1, 22)} - {2, 11} <= rows | {"2", "11"}


def test_the_2024_plan_has_its_18_key_targets(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        targets = list_targets(session, plan=get_plan(session, code_or_number="kh-ktxh-2024"))
        numbers = {int(re.match(r"\d+", t.row).group()) for t in targets}
        growth = next(t for t in targets if t.indicator_code == "GRDP_GROWTH")
        land = next(t for t in targets if t.indicator_code == "AGRI_OUTPUT_PER_HA")
    assert numbers == set(range(1, 19))
    assert (growth.period, growth.minimum, growth.maximum) == ("2024", 14.5, 14.5)
    assert (land.minimum, land.maximum, land.unit) == (135e6, 140e6, "VND/ha")


def test_every_task_of_the_appendix_is_held_with_its_agencies(loaded_sqlite):
    text = corpus_text("004_")
    appendix = text[text.index("Tóm tắt trọng tâm thực hiện Đề án") :]
    numbered_rows = [line for line in appendix.split("\n") if re.match(r"\d+\t", line)]
    with transaction(loaded_sqlite) as session:
        tasks = session.scalars(select(Task)).all()
        assert all(task.leads for task in tasks)
        spans = {text[t.span_start : t.span_end] for t in tasks}
    assert len(tasks) == len(numbered_rows)
    assert spans == set(numbered_rows)


def test_every_span_quotes_its_figure(loaded_sqlite):
    """Loading with documents checks each span; here the stored texts prove it again."""
    with transaction(loaded_sqlite) as session:
        rows = session.scalars(select(Observation).where(Observation.span_start.is_not(None)))
        checked = 0
        for obs in rows:
            quoted = obs.source_document.text[obs.span_start : obs.span_end]
            assert re.search(r"\d", quoted), (obs.id, quoted)
            checked += 1
        documents = session.scalars(
            select(SourceDocument).where(SourceDocument.sha256.is_not(None))
        )
        assert all(doc.text for doc in documents)
    assert checked > 100


def test_the_catalogue_keeps_the_shared_codes_verbatim():
    spec_text = (SHARED / "spec" / "indicators.csv").read_text(encoding="utf-8")
    ours_text = (EMBEDDED / "indicators.csv").read_text(encoding="utf-8")
    spec = list(csv.DictReader(spec_text.splitlines()))
    ours = {row["code"]: row for row in csv.DictReader(ours_text.splitlines())}
    for row in spec:
        assert {k: ours[row["code"]][k] for k in row} == row


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_span_that_misquotes_its_document_stops_the_load(engine, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(EMBEDDED, folder)
    path = folder / "observations_news.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(csv.DictReader([lines[0], lines[1]]))
    lines[1] = lines[1].replace(f",{row['start']},", f",{int(row['start']) + 1},", 1)
    path.write_text("".join(lines), encoding="utf-8")
    with (
        pytest.raises(RowsRejectedError, match=r"observations_news.csv: .*vị trí") as caught,
        transaction(engine) as session,
    ):
        load_folder(session, folder=folder, documents=CORPUS)
    assert caught.value.problems[0].line == 2
    with transaction(engine) as session:
        assert session.scalars(select(Observation)).first() is None


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_loading_twice_writes_nothing_the_second_time(loaded):
    with transaction(loaded) as session:
        report = load_folder(session, documents=CORPUS)
    assert sum(report.counts.values()) > 400
    assert sum(report.written.values()) == 0
