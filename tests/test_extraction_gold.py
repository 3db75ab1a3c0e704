"""A floor on extraction accuracy: the shared scorer on the shared gold and on ours."""

import importlib.util
import json
import shutil

import pytest

from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.records import DocumentContext
from tests.conftest import CORPUS, ROOT, SHARED


def _scorer():
    spec = importlib.util.spec_from_file_location(
        "score_extraction", SHARED / "tools" / "score_extraction.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> dict:
    gold = tmp_path_factory.mktemp("gold")
    for source in (SHARED / "gold", ROOT / "tests" / "gold"):
        for path in source.glob("*.jsonl"):
            shutil.copy(path, gold / path.name)
    predictions = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        context = DocumentContext(name=path.name, region="Bắc Giang")
        predictions += [figure.record() for figure in extract_figures(text, context)]
    return _scorer().score(str(gold), predictions)


@pytest.fixture(scope="module")
def scored_stress() -> dict:
    stress = ROOT / "tests" / "stress"
    predictions = []
    for path in sorted((stress / "corpus").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        context = DocumentContext(name=path.name, region=None)
        predictions += [figure.record() for figure in extract_figures(text, context)]
    return _scorer().score(str(stress / "gold"), predictions)


def test_the_held_out_texts_hold_their_floor(scored_stress):
    assert len(scored_stress["documents"]) == 6
    assert scored_stress["overall"]["f1"] >= 0.97
    for attribute in ("period", "status", "measure", "indicator"):
        assert scored_stress["attributes"][attribute] >= 0.93, attribute


def test_every_gold_document_is_scored(scored):
    assert len(scored["documents"]) == 5


def test_figure_f1_holds_its_floor(scored):
    overall = scored["overall"]
    assert overall["f1"] >= 0.97, (scored["missed"][:5], scored["false_positives"][:5])


@pytest.mark.parametrize("attribute", ["period", "status", "measure", "indicator"])
def test_attribute_accuracy_holds_its_floor(scored, attribute):
    assert scored["attributes"][attribute] >= 0.95


def test_records_carry_exactly_the_contract_fields():
    figure = extract_figures("GRDP năm 2023 tăng 13,1%.", DocumentContext(name="x.txt"))[0]
    contract = {
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
    }
    assert contract <= set(figure.record())


def test_gold_files_quote_their_documents():
    for path in (ROOT / "tests" / "gold").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            text = (CORPUS / record["doc"]).read_text(encoding="utf-8")
            assert text[record["start"] : record["end"]] == record["text"], record


@pytest.fixture(scope="module")
def scored_dev() -> dict:
    """The eleven real texts of other provinces in ../shared/dev, read as `chitieu extract` does."""
    dev = SHARED / "dev"
    predictions = []
    for path in sorted((dev / "docs").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        context = DocumentContext(name=path.name, region=None)
        predictions += [figure.record() for figure in extract_figures(text, context)]
    return _scorer().score(str(dev / "gold"), predictions)


def test_the_real_texts_of_other_provinces_hold_their_floor(scored_dev):
    assert len(scored_dev["documents"]) == 11
    assert scored_dev["overall"]["f1"] >= 0.97
    for attribute in ("period", "status", "measure", "indicator"):
        assert scored_dev["attributes"][attribute] >= 0.95, attribute
