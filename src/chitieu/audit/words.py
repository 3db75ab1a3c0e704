"""The audit log in people's words: actions, records, fields and values, in either language.

The log itself keeps the codes (``login``, ``import_batch``, ``on_date``) and raw
values, as the API gives them; only the page translates. A code without a word
here is shown as it is, and the tests list the codes the services write.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import ChitieuError
from chitieu._labels import tr, word
from chitieu._localtime import local_minute
from chitieu._periods import parse_period
from chitieu.agency.models import Agency
from chitieu.indicator.models import Indicator
from chitieu.region.models import Region
from chitieu.user.admin import role_word
from chitieu.validation.findings import STATE_WORDS

Pair = tuple[str, str]

ACTIONS: dict[str, Pair] = {
    "login": ("đăng nhập", "sign-in"),
    "login_failed": ("đăng nhập không thành công", "failed sign-in"),
    "logout": ("đăng xuất", "sign-out"),
    "create": ("tạo mới", "create"),
    "update": ("cập nhật", "update"),
    "issue_token": ("cấp mã truy cập API", "issue an API token"),
    "revoke_token": ("thu hồi mã truy cập API", "revoke an API token"),
    "import": ("nhập từ tệp", "import from a file"),
    "enter": ("nhập số liệu", "enter a figure"),
    "correct": ("sửa số liệu", "correct a figure"),
    "accept": ("chấp nhận", "accept"),
    "reject": ("loại", "reject"),
    "choose": ("chọn số liệu", "choose a figure"),
    "upload": ("tải tài liệu lên", "upload a document"),
    "explain": ("giải thích", "explain"),
    "dismiss": ("bỏ qua", "dismiss"),
}

ENTITIES: dict[str, Pair] = {
    "user": ("người dùng", "user"),
    "api_token": ("mã truy cập API", "API token"),
    "observation": ("số liệu", "figure"),
    "import_batch": ("đợt nhập từ tệp", "import batch"),
    "extracted_figure": ("số liệu trích từ tài liệu", "figure taken from a document"),
    "conflict_choice": ("chọn giữa các số liệu khác nhau", "choice between differing figures"),
    "source_document": ("tài liệu nguồn", "source document"),
    "task": ("nhiệm vụ", "task"),
    "validation_finding": ("cảnh báo kiểm tra", "validation finding"),
}

FIELDS: dict[str, Pair] = {
    "id": ("mã số", "number"),
    "username": ("tên đăng nhập", "user name"),
    "display_name": ("tên hiển thị", "display name"),
    "role": ("vai trò", "role"),
    "agency": ("cơ quan", "agency"),
    "active": ("đang hoạt động", "active"),
    "password": ("mật khẩu", "password"),
    "sessions": ("phiên đăng nhập", "sessions"),
    "user": ("người dùng", "user"),
    "name": ("tên", "name"),
    "revoked": ("đã thu hồi", "revoked"),
    "address": ("địa chỉ máy", "address"),
    "indicator": ("chỉ tiêu", "indicator"),
    "region": ("địa bàn", "region"),
    "region_name": ("tên địa bàn", "region name"),
    "period": ("kỳ", "period"),
    "value": ("giá trị", "value"),
    "unit": ("đơn vị", "unit"),
    "status": ("trạng thái", "status"),
    "qualifier": ("mức độ", "qualifier"),
    "source_kind": ("loại nguồn", "kind of source"),
    "source": ("nguồn", "source"),
    "note": ("ghi chú", "note"),
    "supersedes": ("thay cho số liệu", "replaces figure"),
    "observation_id": ("số liệu", "figure"),
    "review_state": ("tình trạng duyệt", "review"),
    "reason": ("lý do", "reason"),
    "file": ("tệp", "file"),
    "file_name": ("tệp", "file"),
    "rows": ("số dòng", "rows"),
    "written": ("số dòng đã ghi", "rows written"),
    "unchanged": ("số dòng không đổi", "rows unchanged"),
    "document_new": ("tài liệu mới", "new document"),
    "found": ("số liệu tìm thấy", "figures found"),
    "new": ("số liệu mới", "new figures"),
    "on_date": ("ngày", "date"),
    "state": ("tình trạng", "state"),
    "explanation": ("giải thích", "explanation"),
    "recorded_by": ("người ghi", "recorded by"),
    "recorded_at": ("thời điểm ghi", "recorded at"),
}

# Values that are codes too, by the field holding them (statuses go through ``word``).
VALUES: dict[str, dict[str, Pair]] = {
    "state": STATE_WORDS,
    "review_state": {
        "pending": ("chờ duyệt", "pending"),
        "accepted": ("đã chấp nhận", "accepted"),
        "rejected": ("đã loại", "rejected"),
    },
    "source_kind": {
        "document": ("tài liệu", "document"),
        "submission": ("cơ quan gửi", "submission"),
        "import": ("nhập từ tệp", "import"),
        "manual": ("nhập tay", "manual"),
    },
    "password": {"changed": ("đã đổi", "changed")},
    "sessions": {"ended": ("đã kết thúc", "ended")},
}
IDS = frozenset({"id", "observation_id", "supersedes"})
# The fields holding a code of a named record: the code's column, its name in each language.
NAMED: dict[str, tuple[Any, Any, Any]] = {
    "indicator": (Indicator.code, Indicator.name_vi, Indicator.name_en),
    "region": (Region.code, Region.name, func.coalesce(Region.name_en, Region.name)),
    "agency": (Agency.code, Agency.name, Agency.name),
}


def _pair(table: dict[str, Pair], key: str, lang: str) -> str:
    return tr(lang, *table[key]) if key in table else key


def action_word(action: str, lang: str) -> str:
    return _pair(ACTIONS, action, lang)


def entity_word(entity: str, lang: str) -> str:
    return _pair(ENTITIES, entity, lang)


def field_word(field: str, lang: str) -> str:
    return _pair(FIELDS, field, lang)


def names_of(session: Session, codes: dict[str, set[str]], lang: str) -> dict[str, dict[str, str]]:
    """The names of the indicators, regions and agencies the entries give by code."""
    found: dict[str, dict[str, str]] = {}
    for field, (code, name_vi, name_en) in NAMED.items():
        wanted = codes.get(field)
        if wanted:
            query = select(code, name_vi if lang == "vi" else name_en).where(code.in_(wanted))
            found[field] = {row[0]: row[1] for row in session.execute(query)}
    return found


def shown_value(
    field: str,
    value: Any,
    lang: str,
    *,
    names: dict[str, dict[str, str]] | None = None,
    unit: str | None = None,
) -> str:
    """A value as a person reads it: numbers 1.234,5, dates dd/mm/yyyy, codes as words."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return tr(lang, "có", "yes") if value else tr(lang, "không", "no")
    if isinstance(value, int | float):
        if field in IDS:
            return f"#{value}"
        if field == "value" and unit:
            return _format.value_with_unit(float(value), unit, lang)
        return _format.number(value, lang)
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _shown_text(field, value, lang, names or {})


def _shown_text(field: str, value: str, lang: str, names: dict[str, dict[str, str]]) -> str:
    if field in names:
        return names[field].get(value, value)
    if field in VALUES:
        return _pair(VALUES[field], value, lang)
    if field == "role":
        return role_word(value, lang)
    if field == "status":
        return word(value, lang)
    if field == "period":
        try:
            return parse_period(value).label(lang)
        except ChitieuError:
            return value
    if field in ("on_date", "recorded_at"):
        return _moment(value)
    return value


def _moment(value: str) -> str:
    """An ISO date as dd/mm/yyyy, an ISO time (UTC) as local dd/mm/yyyy HH:MM."""
    try:
        if len(value) <= 10:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        return local_minute(datetime.fromisoformat(value))
    except ValueError:
        return value
