"""Error pages speak to a person in the page's language: what happened, what to do next.

The API keeps its answers (clients read them); only the HTML pages are checked for words.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from chitieu._localtime import local

VI_404 = "Không có trang nào ở địa chỉ này"
EN_404 = "There is no page at this address"


def alert(html: str) -> str:
    found = re.search(r'role="alert">([^<]*)<', html)
    assert found, "the page shows no error"
    return found.group(1)


def test_an_unknown_address_explains_itself_in_the_pages_language_and_never_says_not_found(web):
    client = web.clients["viewer"]
    vi = client.get("/khong-co-trang-nay")
    assert vi.status_code == 404
    assert VI_404 in alert(vi.text) and "Hãy kiểm tra lại địa chỉ" in vi.text
    assert 'href="/overview"' in vi.text and 'href="/indicators"' in vi.text
    en = client.get("/khong-co-trang-nay", params={"lang": "en"})
    assert en.status_code == 404
    assert EN_404 in alert(en.text) and "Check the address" in en.text
    for page, other in ((vi.text, EN_404), (en.text, VI_404)):
        assert "Not Found" not in page and other not in page
        assert " / " not in alert(page)  # one language, not both joined


def test_a_record_that_is_not_there_keeps_the_services_words_and_says_what_to_do(web):
    page = web.clients["viewer"].get("/indicators/KHONG_CO_CHI_TIEU")
    assert page.status_code == 404
    assert "KHONG_CO_CHI_TIEU" in alert(page.text)
    assert "Hãy kiểm tra lại địa chỉ" in page.text and "Not Found" not in page.text


def test_the_api_keeps_its_404_and_403_answers(web):
    client = web.anonymous()
    assert client.get("/api/v1/khong-co").json() == {"detail": "Not Found"}
    viewer = {"Authorization": f"Bearer {web.tokens['viewer']}"}
    refused = client.get("/api/v1/audit", headers=viewer)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "không có quyền / forbidden"}


def test_a_refusal_names_the_missing_permission_and_who_has_it(web):
    vi = web.clients["viewer"].get("/admin/audit")
    assert vi.status_code == 403
    assert (
        alert(vi.text)
        == "Tài khoản của bạn không có quyền quản trị (người dùng, cơ quan, nhật ký)."
    )
    assert "Hãy đăng nhập bằng tài khoản có quyền này (vai trò: quản trị)" in vi.text
    assert "đề nghị quản trị viên" in vi.text and "forbidden" not in vi.text
    # Entering figures belongs to three roles: the page names each of them.
    entry = web.clients["viewer"].get("/entry")
    assert entry.status_code == 403 and "nhập số liệu" in alert(entry.text)
    assert "cán bộ kế hoạch" in entry.text and "cán bộ nhập liệu của cơ quan" in entry.text
    en = web.clients["viewer"].get("/admin/audit", params={"lang": "en"})
    assert "does not have the permission to administer" in alert(en.text)
    assert "Sign in with an account that has it (role: administrator)" in en.text
    assert "không có quyền" not in en.text


def test_a_missing_csrf_token_says_how_to_recover_in_one_language(web):
    refused = web.clients["viewer"].post("/logout", data={"csrf_token": "gia-mao"})
    assert refused.status_code == 403
    assert "tải lại trang" in alert(refused.text) and "CSRF" in refused.text
    assert "missing or wrong" not in refused.text


def test_a_failure_says_nothing_was_saved_and_gives_the_time_to_quote(web):
    def boom() -> None:
        raise RuntimeError("hỏng")

    web.app.add_api_route("/thu-loi", boom)
    web.app.add_api_route("/api/v1/thu-loi", boom)
    client = TestClient(web.app, raise_server_exceptions=False)
    before = local(datetime.now(UTC)).replace(microsecond=0)
    page = client.get("/thu-loi")
    assert page.status_code == 500
    assert "chưa có gì được ghi lại" in alert(page.text) and "thử lại" in page.text
    quoted = re.search(r"kèm thời điểm (\d\d/\d\d/\d{4} \d\d:\d\d:\d\d)", page.text)
    assert quoted, "the page gives no time to quote"
    when = datetime.strptime(quoted.group(1), "%d/%m/%Y %H:%M:%S")
    assert timedelta(0) <= when - before.replace(tzinfo=None) < timedelta(minutes=1)
    assert "Internal Server Error" not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    en = client.get("/thu-loi", params={"lang": "en"})
    assert "nothing was saved" in alert(en.text) and "tell the system administrator" in en.text
    api = client.get("/api/v1/thu-loi")
    assert api.status_code == 500 and api.text == "Internal Server Error"
