"""``chitieu export --format open-sdg``: a data repository Open SDG's rules accept as written."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine

from chitieu import EMBEDDED, load_folder
from chitieu._database import transaction
from chitieu._errors import InputError, RowsRejectedError
from chitieu.export.open_sdg import export_open_sdg, open_sdg_ids
from chitieu.indicator.models import Indicator
from chitieu.region.service import get_region
from tests.open_sdg_rules import check_repository


@pytest.fixture(scope="module")
def repository(loaded_sqlite: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole loaded dataset exported without --region."""
    out = tmp_path_factory.mktemp("open-sdg")
    with transaction(loaded_sqlite, writes=False) as session:
        export_open_sdg(session, out=out)
    return out


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ids(repository: Path) -> dict[str, str]:
    return {r["code"]: r["open_sdg_id"] for r in rows(repository / "indicator_ids.csv")}


def test_the_export_breaks_none_of_open_sdg_s_repository_rules(repository: Path):
    assert check_repository(repository) == []
    data = sorted((repository / "data").glob("indicator_*.csv"))
    meta = sorted((repository / "indicator-config").glob("*-*.yml"))
    assert len(data) >= 60 and len(meta) == len(ids(repository))
    for path in data:
        assert (repository / "indicator-config" / "en" / f"{path.stem[10:]}.yml").is_file()


def test_metadata_is_vietnamese_with_english_overrides(repository: Path):
    number = ids(repository)["GRDP_GROWTH"]
    vi = yaml.safe_load((repository / "indicator-config" / f"{number}.yml").read_text("utf-8"))
    en = yaml.safe_load((repository / "indicator-config" / "en" / f"{number}.yml").read_text())
    assert vi["indicator_name"] == "Tốc độ tăng trưởng kinh tế (GRDP) theo giá so sánh"
    assert en["indicator_name"] == "GRDP growth rate (constant prices)"
    assert vi["reporting_status"] == "complete" and vi["published"] is True
    assert vi["indicator_number"] == number.replace("-", ".")
    assert en["graph_title"].startswith("GRDP growth rate") and "graph_type" in vi
    goals = yaml.safe_load((repository / "translations" / "en" / "global_goals.yml").read_text())
    assert goals[f"{number.split('-')[0]}-title"] == "Economy"


def test_every_indicator_has_a_headline_and_regions_only_when_several(repository: Path):
    several = 0
    for path in (repository / "data").glob("indicator_*.csv"):
        table = rows(path)
        header = list(table[0])
        assert header in (["Year", "Value"], ["Year", "Region", "Value"]), path
        if "Region" in header:
            several += 1
            assert any(r["Region"] == "" for r in table) and any(r["Region"] for r in table)
    assert several > 0


def test_the_asked_region_is_the_headline_where_it_has_figures(
    loaded_sqlite: Engine, tmp_path: Path
):
    with transaction(loaded_sqlite, writes=False) as session:
        export_open_sdg(
            session, out=tmp_path, headline=get_region(session, code_or_name="bac_ninh")
        )
    number = ids(tmp_path)["GRDP_CURRENT"]
    table = rows(tmp_path / "data" / f"indicator_{number}.csv")
    assert [r["Year"] for r in table if r["Region"] == ""] == ["2025"]  # new Bắc Ninh's year
    assert {r["Region"] for r in table} >= {"", "Bắc Giang"}
    assert check_repository(tmp_path) == []


def test_grdp_growth_is_bac_giang_s_headline_series(repository: Path):
    number = ids(repository)["GRDP_GROWTH"]
    table = rows(repository / "data" / f"indicator_{number}.csv")
    headline = {r["Year"]: r["Value"] for r in table if not r.get("Region")}
    assert headline["2024"] == "13.87"


# --- the checker catches what sdg-build would refuse -----------------------------------


def broken(repository: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(repository, copy)
    return copy


def test_the_checker_refuses_a_file_named_by_code(repository: Path, tmp_path: Path):
    copy = broken(repository, tmp_path)
    first = sorted((copy / "data").glob("indicator_*.csv"))[0]
    first.rename(copy / "data" / "indicator_GRDP-GROWTH.csv")
    problems = check_repository(copy)
    assert any("GRDP-GROWTH: not a goal-target-indicator id" in p for p in problems)


def test_the_checker_refuses_metadata_missing_a_required_field(repository: Path, tmp_path: Path):
    copy = broken(repository, tmp_path)
    path = sorted((copy / "indicator-config").glob("*-*.yml"))[0]
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    del meta["published"]
    meta["graph_type"] = "pie"
    path.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    problems = check_repository(copy)
    assert any("'published' is a required property" in p for p in problems)
    assert any("'pie'" in p for p in problems)


def test_the_checker_refuses_remote_translations_and_headless_data(
    repository: Path, tmp_path: Path
):
    copy = broken(repository, tmp_path)
    config = yaml.safe_load((copy / "config_data.yml").read_text(encoding="utf-8"))
    config["translations"].append(
        {"class": "TranslationInputSdgTranslations", "source": "https://example.org/t.git"}
    )
    (copy / "config_data.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    path = sorted((copy / "data").glob("indicator_*.csv"))[0]
    path.write_text("Year,Region,Value\n2020,Bắc Giang,1\n", encoding="utf-8")
    problems = check_repository(copy)
    assert any("remote source" in p for p in problems)
    assert any("no headline row" in p for p in problems)


# --- numbering ----------------------------------------------------------------------------


def indicator(code: str, group: str, open_sdg_id: str | None = None) -> Indicator:
    return Indicator(code=code, group=group, open_sdg_id=open_sdg_id)


def test_numbers_come_from_groups_and_skip_the_ones_the_catalogue_gave():
    numbered = open_sdg_ids(
        [
            indicator("B", "economy"),
            indicator("A", "economy", "1-1-1"),
            indicator("C", "environment"),
            indicator("D", "culture"),
            indicator("E", "society", "7-a-2"),
            indicator("F", "economy"),
        ]
    )
    assert numbered == {
        "A": "1-1-1",
        "B": "1-1-2",
        "F": "1-1-3",
        "C": "3-1-1",
        "D": "4-1-1",
        "E": "7-a-2",
    }


def test_two_indicators_with_one_number_stop_the_export():
    with pytest.raises(InputError, match="A và B cùng số Open SDG 1-1-1"):
        open_sdg_ids([indicator("A", "economy", "1-1-1"), indicator("B", "society", "1-1-1")])


def test_the_catalogue_column_is_loaded_and_checked(engine: Engine, tmp_path: Path):
    folder = tmp_path / "data"
    shutil.copytree(EMBEDDED, folder)
    catalogue = folder / "indicators.csv"
    table = rows(catalogue)
    table[0]["open_sdg_id"] = "8-2-1"
    with catalogue.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*table[0].keys()], lineterminator="\n")
        writer.writeheader()
        writer.writerows({"open_sdg_id": "", **r} for r in table)
    with transaction(engine) as session:
        load_folder(session, folder=folder)
    with transaction(engine, writes=False) as session:
        first = session.scalars(select(Indicator).where(Indicator.code == table[0]["code"])).one()
        assert first.open_sdg_id == "8-2-1"
    table[1]["open_sdg_id"] = "8.2.2"
    with catalogue.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*table[0].keys()], lineterminator="\n")
        writer.writeheader()
        writer.writerows({"open_sdg_id": "", **r} for r in table)
    with pytest.raises(RowsRejectedError, match="open_sdg_id '8.2.2'"), transaction(engine) as s:
        load_folder(s, folder=folder)


def test_a_second_export_removes_files_the_first_wrote_and_it_does_not(
    loaded_sqlite: Engine, tmp_path: Path
):
    stale = tmp_path / "data" / "indicator_9-9-9.csv"
    stale_meta = tmp_path / "indicator-config" / "en" / "9-9-9.yml"
    with transaction(loaded_sqlite, writes=False) as session:
        export_open_sdg(session, out=tmp_path)
        stale.write_text("Year,Value\n2020,1\n", encoding="utf-8")
        stale_meta.write_text("indicator_name: old\n", encoding="utf-8")
        (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
        export_open_sdg(session, out=tmp_path)
    assert not stale.exists() and not stale_meta.exists()
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert check_repository(tmp_path) == []


def test_a_folder_with_someone_else_s_config_is_left_alone(loaded_sqlite: Engine, tmp_path: Path):
    (tmp_path / "config_data.yml").write_text("languages: [en]\n", encoding="utf-8")
    with (
        pytest.raises(InputError, match="không phải tệp chitieu đã ghi"),
        transaction(loaded_sqlite, writes=False) as session,
    ):
        export_open_sdg(session, out=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config_data.yml"]
