"""What an error page tells a person: what happened and what to do next, in one language.

The API answers the same errors with a ``detail`` its clients already read (the
two languages joined by " / "); only the HTML page speaks to a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus

from chitieu._labels import tr
from chitieu._localtime import local_second
from chitieu.user.admin import role_word
from chitieu.user.service import roles_with

Pair = tuple[str, str]
"""A message in Vietnamese and in English."""

# The permissions of ``user.service``, as the person refused one would name them.
PERMISSION_WORDS: dict[str, Pair] = {
    "view": ("xem số liệu", "view the figures"),
    "enter_data": ("nhập số liệu", "enter figures"),
    "update_task": ("cập nhật nhiệm vụ", "update tasks"),
    "review": ("duyệt số liệu trích từ tài liệu", "review figures taken from documents"),
    "manage_plans": ("quản lý kế hoạch và tài liệu", "manage plans and documents"),
    "admin": ("quản trị (người dùng, cơ quan, nhật ký)", "administer users, agencies and the log"),
    "run_scenario": ("chạy kịch bản", "run scenarios"),
}

HEADINGS: dict[int, Pair] = {
    400: ("Yêu cầu không hợp lệ", "Bad request"),
    403: ("Không có quyền", "Not allowed"),
    404: ("Không tìm thấy trang", "Page not found"),
    405: ("Không làm được thao tác này ở địa chỉ này", "Not possible at this address"),
    409: ("Không thực hiện được", "Could not be done"),
    413: ("Tệp hoặc biểu mẫu quá lớn", "File or form too large"),
    415: ("Không đọc được tệp", "Cannot read the file"),
    422: ("Thông tin nhập chưa hợp lệ", "The input is not valid"),
    500: ("Lỗi hệ thống", "Something went wrong"),
    503: ("Tạm thời không phục vụ được", "Temporarily unavailable"),
}

# Starlette's own answers carry the English reason phrase ("Not Found"): a person reads these.
STOCK_MESSAGES: dict[int, Pair] = {
    404: (
        "Không có trang nào ở địa chỉ này: địa chỉ có thể gõ sai, hoặc trang đã được chuyển đi.",
        "There is no page at this address: it may be mistyped, or the page has moved.",
    ),
    405: (
        "Địa chỉ này không nhận yêu cầu gửi theo cách này.",
        "This address does not take a request sent this way.",
    ),
}

NEXT_STEPS: dict[int, Pair] = {
    404: (
        "Hãy kiểm tra lại địa chỉ, hoặc tìm trang cần xem từ trang tổng quan hay danh sách "
        "chỉ tiêu.",
        "Check the address, or find the page from the overview or the list of indicators.",
    ),
    409: (
        "Hãy tải lại trang để xem tình trạng hiện tại rồi làm lại nếu vẫn cần.",
        "Reload the page to see the current state, then try again if still needed.",
    ),
    422: (
        "Hãy quay lại, sửa thông tin theo hướng dẫn trên rồi gửi lại.",
        "Go back, correct the input as described above and send it again.",
    ),
    503: ("Hãy thử lại sau ít phút.", "Try again in a few minutes."),
}

OVERVIEW: Pair = ("Về trang tổng quan", "Back to the overview")
INDICATORS: Pair = ("Danh sách chỉ tiêu", "List of indicators")


@dataclass(frozen=True, slots=True)
class ErrorPage:
    heading: str
    message: str
    advice: tuple[str, ...]
    links: tuple[tuple[str, str], ...]


def error_page(
    lang: str,
    status: int,
    message: str | Pair,
    *,
    missing: str | None = None,
    stock: bool = False,
    moment: datetime | None = None,
) -> ErrorPage:
    """The page for ``status``.

    ``message`` is a service's own words (one language) or a pair; ``stock`` marks
    Starlette's reason phrase, replaced by words of ours. ``missing`` is the
    permission a 403 lacks, ``moment`` when a 500 happened.
    """
    if stock or not message:
        message = STOCK_MESSAGES.get(status, HEADINGS.get(status, ("Đã có lỗi.", "An error.")))
    said = message if isinstance(message, str) else tr(lang, *message)
    heading = tr(lang, *HEADINGS.get(status, ("Lỗi", "Error")))
    advice: tuple[str, ...] = ()
    links = [("/overview", tr(lang, *OVERVIEW))]
    if status == 403:
        said, advice = _refusal(lang, said, missing)
    elif status == 404:
        links.append(("/indicators", tr(lang, *INDICATORS)))
        advice = (tr(lang, *NEXT_STEPS[404]),)
    elif status == 500:
        said, advice = _failure(lang, moment or datetime.now(UTC))
    elif status in NEXT_STEPS:
        advice = (tr(lang, *NEXT_STEPS[status]),)
    return ErrorPage(heading, said, advice, tuple(links))


def _refusal(lang: str, said: str, missing: str | None) -> tuple[str, tuple[str, ...]]:
    ask = tr(
        lang,
        "Nếu công việc của bạn cần quyền này, hãy đề nghị quản trị viên hệ thống cấp quyền.",
        "If your work needs this permission, ask the system administrator for it.",
    )
    if missing is None:  # a service's refusal: the role may act, not on this record
        return said, (ask,)
    what = tr(lang, *PERMISSION_WORDS.get(missing, (missing, missing)))
    said = tr(
        lang,
        f"Tài khoản của bạn không có quyền {what}.",
        f"Your account does not have the permission to {what}.",
    )
    holders = ", ".join(role_word(role, lang).lower() for role in roles_with(missing))
    sign_in = tr(
        lang,
        f"Hãy đăng nhập bằng tài khoản có quyền này (vai trò: {holders}).",
        f"Sign in with an account that has it (role: {holders}).",
    )
    return said, (sign_in, ask)


def _failure(lang: str, moment: datetime) -> tuple[str, tuple[str, ...]]:
    when = local_second(moment)
    said = tr(
        lang,
        "Máy chủ gặp lỗi khi xử lý yêu cầu; chưa có gì được ghi lại.",
        "The server failed while handling the request; nothing was saved.",
    )
    advice = (
        tr(lang, "Hãy thử lại sau giây lát.", "Please try again in a moment."),
        tr(
            lang,
            f"Nếu lỗi lặp lại, hãy báo quản trị viên hệ thống kèm thời điểm {when}.",
            f"If it happens again, tell the system administrator the time {when}.",
        ),
    )
    return said, advice


def is_stock(status: int, detail: str) -> bool:
    """Whether ``detail`` is Starlette's reason phrase rather than words of a view."""
    try:
        return detail == HTTPStatus(status).phrase
    except ValueError:
        return False
