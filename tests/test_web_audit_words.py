"""The audit page in people's words and local time; the log and its API keep the codes.

The codes checked are those the services write, read from their source, so that
a new action or field without words fails here.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

from chitieu import transaction
from chitieu.audit.models import AuditEntry
from chitieu.audit.service import record_change
from chitieu.audit.words import ACTIONS, ENTITIES, FIELDS

SRC = Path(__file__).resolve().parents[1] / "src/chitieu"


def _constants(node: ast.expr) -> set[str]:
    """The strings an argument may take: a literal, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return set()


def _dict_keys(node: ast.AST) -> set[str]:
    return {k.value for k in getattr(node, "keys", ()) if isinstance(k, ast.Constant)}


def written_codes() -> dict[str, set[str]]:
    """Actions, entities and field names of every ``record_change`` call in the package."""
    found: dict[str, set[str]] = {"action": set(), "entity": set(), "field": set()}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers: set[str] = set()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record_change"):
                continue
            for keyword in node.keywords:
                if keyword.arg in ("action", "entity"):
                    found[keyword.arg] |= _constants(keyword.value)
                elif keyword.arg in ("before", "after"):
                    found["field"] |= _dict_keys(keyword.value)
                    if isinstance(keyword.value, ast.Call):
                        helpers.add(getattr(keyword.value.func, "id", ""))
        # Records built by a helper of the same module (user_record, _reviewed) ...
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in helpers:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        found["field"] |= _dict_keys(inner.value)
            # ... and keys added to one later (after["password"] = "changed").
            if helpers and isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and getattr(target.value, "id", "") in (
                        "before",
                        "after",
                    ):
                        found["field"] |= _constants(target.slice)
    return found


def test_every_action_entity_and_field_the_services_write_has_words():
    codes = written_codes()
    assert {"login", "import", "enter", "correct"} <= codes["action"]
    assert {"observation", "import_batch", "task"} <= codes["entity"]
    assert {"on_date", "value", "role", "password"} <= codes["field"]
    assert codes["action"] - set(ACTIONS) == set()
    assert codes["entity"] - set(ENTITIES) == set()
    assert codes["field"] - set(FIELDS) == set()


def cells(html: str, entry_id: int) -> list[str]:
    row = re.search(rf'<tr data-entry="{entry_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"entry {entry_id} is not on the page"
    return [
        " ".join(re.sub(r"<[^>]+>", "", cell).split())
        for cell in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    ]


def known_entry(web) -> int:
    """A figure corrected at 20:05 UTC on 31/12/2024, which is 03:05 on 01/01/2025 in Hà Nội."""
    with transaction(web.engine) as session:
        entry = record_change(
            session,
            actor="planner",
            action="correct",
            entity="observation",
            entity_id=7,
            before={"value": 1234.0, "unit": "%", "status": "estimate", "period": "2024"},
            after={"value": 1234.5, "unit": "%", "status": "actual", "on_date": "2025-01-02"},
        )
        entry.at = datetime(2024, 12, 31, 20, 5)
        return entry.id


def test_the_audit_page_reads_in_words_numbers_and_local_time(web):
    entry_id = known_entry(web)
    html = web.clients["admin"].get("/admin/audit").text
    when, who, action, entity, change = cells(html, entry_id)
    assert when == "01/01/2025 03:05" and who == "planner"
    assert action == "sửa số liệu" and entity == "số liệu #7"
    assert "giá trị: 1.234% → 1.234,5%" in change
    assert "trạng thái: ước tính → thực hiện" in change and "ngày: 02/01/2025" in change
    for raw in ("1234.0", "value:", "estimate", "2025-01-02", "2024-12-31"):
        assert raw not in change
    # Signing in (the fixture signed each role in) reads as words, in the action column.
    logins = [
        cells(html, int(i)) for i in re.findall(r'data-entry="(\d+)"[^>]*data-action="login"', html)
    ]
    assert logins and all(row[2] == "đăng nhập" for row in logins)
    shown = [cells(html, int(i))[2:4] for i in re.findall(r'<tr data-entry="(\d+)"', html)]
    codes = set(ACTIONS) | set(ENTITIES)
    assert [pair for pair in shown if set(" ".join(pair).replace("#", " ").split()) & codes] == []
    assert "Giờ UTC" not in html


def test_the_audit_page_in_english(web):
    entry_id = known_entry(web)
    html = web.clients["admin"].get("/admin/audit", params={"lang": "en"}).text
    when, _who, action, _entity, change = cells(html, entry_id)
    assert when == "01/01/2025 03:05" and action == "correct a figure"
    assert "value: 1,234% → 1,234.5%" in change and "status: estimate → actual" in change
    assert re.search(r'data-action="login">.*?<td>sign-in</td>', html, re.S)


def test_the_log_and_its_api_keep_the_codes_and_raw_values(web):
    entry_id = known_entry(web)
    with transaction(web.engine) as session:
        stored = session.get(AuditEntry, entry_id)
        assert (
            stored is not None and stored.action == "correct" and '"value": 1234.0' in stored.before
        )
    admin = {"Authorization": f"Bearer {web.tokens['admin']}"}
    items = (
        web.anonymous().get("/api/v1/audit", params={"limit": 1000}, headers=admin).json()["items"]
    )
    item = next(item for item in items if item["id"] == entry_id)
    assert item["action"] == "correct" and item["entity"] == "observation"
    assert item["before"]["value"] == 1234.0 and item["after"]["on_date"] == "2025-01-02"
    assert item["at"].startswith("2024-12-31T20:05:00")
