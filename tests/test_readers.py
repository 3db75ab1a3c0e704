"""Document readers: every input file is built here, in tmp_path, by code.

No binary fixture is committed and nothing is downloaded: DOCX files come
from python-docx, PDFs from fpdf2 with a font of the machine, HTML and text
files from strings.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from fpdf import FPDF
from openpyxl import Workbook
from PIL import Image, ImageDraw

from chitieu._errors import InputError
from chitieu.extraction import _docx_text
from chitieu.extraction.readers import read_document
from tests._encodings import cp1258
from tests.conftest import CORPUS

# Fonts with Vietnamese glyphs, and the Debian package that installs each.
# fonts-dejavu-core is on the project's machines; the others are fallbacks.
FONTS = (
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), "fonts-dejavu-core"),
    (Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"), "fonts-liberation"),
    (Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"), "fonts-noto-core"),
)

GROWTH = "Tăng trưởng kinh tế (GRDP) ước đạt 8,5%, vượt kế hoạch đề ra."
EXPORTS = "Kim ngạch xuất khẩu đạt 1.477,8 triệu USD, tăng 12,3% so với cùng kỳ."
HANDS = "Thừa Thiên Huế, Đắk Lắk: số người được giải quyết việc làm ước đạt 21.000 người."


def _font() -> Path:
    for path, _package in FONTS:
        if path.is_file():
            return path
    packages = " hoặc ".join(package for _path, package in FONTS)
    pytest.fail(f"no TrueType font with Vietnamese glyphs: apt-get install {packages}")


def _pdf(lines: list[str], *, password: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.add_font("Viet", fname=str(_font()))
    pdf.set_font("Viet", size=12)
    pdf.add_page()
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    if password is not None:
        pdf.set_encryption(owner_password="chu-so-huu", user_password=password)
    return bytes(pdf.output())


def _scanned_pdf() -> bytes:
    """A PDF whose page is only a picture of text, as a scanner makes it."""
    picture = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(picture).text((20, 80), "GRDP 8,5%", fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=180)
    return bytes(pdf.output())


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI NĂM 2023")
    document.add_paragraph(GROWTH)
    table = document.add_table(rows=3, cols=3)
    heading = table.cell(0, 1).merge(table.cell(0, 2))
    table.cell(0, 0).text = "Chỉ tiêu"
    heading.text = "Năm 2023"
    for row, cells in enumerate(
        (("Xuất khẩu", "triệu USD", "1.477,8"), ("Nhập khẩu", "triệu USD", "980,5")), start=1
    ):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.add_paragraph(EXPORTS)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert "\n" not in message, message
    assert message.startswith(path.name), message
    return message


# --- plain text ---------------------------------------------------------------------


def test_a_corpus_text_file_is_returned_unchanged():
    path = CORPUS / "003_4f0bc0800d8a158f.txt"
    document = read_document(path)
    assert document.text == path.read_text(encoding="utf-8")
    assert document.kind == "txt"
    assert document.name == path.name
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert document.notes == ()


def test_utf8_text_keeps_every_character_even_crlf_and_edge_spaces(tmp_path):
    raw = f"  {GROWTH}  \r\n\r\n\t{EXPORTS}\n\n".encode()
    document = read_document(_write(tmp_path, "bao_cao.txt", raw))
    assert document.text == raw.decode("utf-8")
    assert document.notes == ()


def test_a_utf8_bom_is_removed_and_noted(tmp_path):
    document = read_document(_write(tmp_path, "bom.txt", codecs.BOM_UTF8 + GROWTH.encode()))
    assert document.text == GROWTH
    assert any("BOM" in note for note in document.notes)


def test_cp1258_text_is_decoded_with_a_note(tmp_path):
    text = f"{GROWTH}\n{EXPORTS}\n{HANDS}\n"
    document = read_document(_write(tmp_path, "cu.txt", cp1258(text)))
    assert document.text == text
    assert document.kind == "txt"
    assert any("cp1258" in note and "không phải UTF-8" in note for note in document.notes)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_text_with_or_without_bom_is_decoded_with_a_note(tmp_path, codec):
    text = f"{GROWTH}\n{EXPORTS}\n"
    document = read_document(_write(tmp_path, "unicode.txt", text.encode(codec)))
    assert document.text == text
    assert any("UTF-16" in note for note in document.notes)


def test_utf8_with_one_damaged_byte_stays_utf8(tmp_path):
    raw = (GROWTH * 5).encode() + b"\xff" + EXPORTS.encode()
    document = read_document(_write(tmp_path, "hong.txt", raw))
    assert document.text == (GROWTH * 5) + "\ufffd" + EXPORTS
    assert any("U+FFFD" in note for note in document.notes)


def test_decomposed_utf8_is_kept_and_noted(tmp_path):
    text = unicodedata.normalize("NFD", GROWTH)
    document = read_document(_write(tmp_path, "to_hop.txt", text.encode()))
    assert document.text == text
    assert any("NFC" in note for note in document.notes)


@pytest.mark.parametrize("data", [b"", b" \n\t\r\n  "], ids=["zero-bytes", "whitespace"])
def test_an_empty_file_is_refused(tmp_path, data):
    assert "tệp rỗng" in _refused(_write(tmp_path, "rong.txt", data))


def test_binary_junk_named_txt_is_refused(tmp_path):
    junk = bytes(range(256)) * 64 + b"\x00" * 4096
    assert "nhị phân" in _refused(_write(tmp_path, "rac.txt", junk))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="không có tệp này"):
        read_document(tmp_path / "khong_co.txt")


def test_an_unknown_binary_type_is_refused(tmp_path):
    assert "không nhận ra loại tệp" in _refused(
        _write(tmp_path, "du_lieu.bin", b"\x00\x01\x02\x03" * 1000)
    )


def test_an_old_word_file_is_refused_with_advice(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
    assert ".docx" in _refused(_write(tmp_path, "cu.doc", ole))


# --- DOCX ----------------------------------------------------------------------------


def test_docx_paragraphs_and_table_rows_come_in_body_order(tmp_path):
    data = _docx()
    document = read_document(_write(tmp_path, "bao_cao.docx", data))
    assert document.kind == "docx"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.text.split("\n") == [
        "BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI NĂM 2023",
        GROWTH,
        # the merged heading keeps its two columns: the second is empty
        "Chỉ tiêu\tNăm 2023\t",
        "Xuất khẩu\ttriệu USD\t1.477,8",
        "Nhập khẩu\ttriệu USD\t980,5",
        EXPORTS,
    ]
    assert "1.477,8 triệu USD" in document.text
    assert document.notes == ()


def test_docx_reads_tracked_insertions_links_and_text_boxes_but_not_deletions(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph("Vốn đầu tư ")
    w = nsdecls("w")
    mark = 'w:author="Sở KH-ĐT" w:date="2024-01-05T00:00:00Z"'
    for xml in (
        f'<w:ins {w} w:id="1" {mark}><w:r><w:t>đạt 9.870 tỷ đồng</w:t></w:r></w:ins>',
        f'<w:del {w} w:id="2" {mark}><w:r><w:delText>đạt 9.000 tỷ đồng</w:delText></w:r></w:del>',
        f'<w:hyperlink {w} w:anchor="bang"><w:r><w:t xml:space="preserve"> (xem bảng)</w:t></w:r></w:hyperlink>',
        f"<w:r {w}><w:tab/><w:t>a</w:t><w:br/><w:t>b</w:t></w:r>",
        f'<w:r {w} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox>'
        "<w:txbxContent><w:p><w:r><w:t>Số: 12/BC-UBND</w:t></w:r></w:p></w:txbxContent>"
        "</v:textbox></v:shape></w:pict></w:r>",
    ):
        paragraph._p.append(parse_xml(xml))
    document.add_paragraph("Hết.")
    buffer = io.BytesIO()
    document.save(buffer)
    read = read_document(_write(tmp_path, "sua.docx", buffer.getvalue()))
    assert read.text == "Vốn đầu tư đạt 9.870 tỷ đồng (xem bảng)\ta\nb\nSố: 12/BC-UBND\nHết."
    assert any("hộp văn bản" in note for note in read.notes)


def test_a_truncated_docx_is_refused(tmp_path):
    data = _docx()
    assert "DOCX" in _refused(_write(tmp_path, "cat.docx", data[: len(data) // 2]))


def test_a_zip_that_is_not_a_docx_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bang.csv", "a,b\n1,2\n")
    assert "không phải DOCX" in _refused(_write(tmp_path, "nen.docx", buffer.getvalue()))


def test_a_spreadsheet_named_docx_is_refused_by_name(tmp_path):
    workbook = Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "Excel" in _refused(_write(tmp_path, "bang.docx", buffer.getvalue()))


def test_a_docx_inflating_too_far_is_refused(tmp_path):
    buffer = io.BytesIO(_docx())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/bom.bin", b"\x00" * (4 * 1024 * 1024))
    assert "zip bomb" in _refused(_write(tmp_path, "bom.docx", buffer.getvalue()))


def test_a_docx_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(_docx_text, "_DOCX_MAX_UNCOMPRESSED", 1000)
    message = _refused(_write(tmp_path, "lon.docx", _docx()))
    assert "quá giới hạn" in message
    assert "zip bomb" in message


# --- PDF ----------------------------------------------------------------------------


def test_a_pdf_text_layer_keeps_vietnamese_diacritics(tmp_path):
    data = _pdf([GROWTH, EXPORTS, HANDS])
    document = read_document(_write(tmp_path, "bao_cao.pdf", data))
    assert document.kind == "pdf"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    for line in (GROWTH, EXPORTS, HANDS):
        assert line in document.text
    assert "1.477,8 triệu USD" in document.text


def test_a_pdf_without_a_text_layer_is_refused_as_a_scan(tmp_path):
    message = _refused(_write(tmp_path, "ban_quet.pdf", _scanned_pdf()))
    assert message == "ban_quet.pdf: PDF không có lớp chữ (bản quét); chưa hỗ trợ OCR"


def test_a_password_protected_pdf_is_refused(tmp_path):
    data = _pdf([GROWTH], password="bi-mat")
    assert "mật khẩu" in _refused(_write(tmp_path, "mat_khau.pdf", data))


def test_a_truncated_pdf_is_refused(tmp_path):
    data = _pdf([GROWTH, EXPORTS])
    assert "cắt cụt" in _refused(_write(tmp_path, "cat.pdf", data[: len(data) // 2]))


def test_a_corrupt_pdf_is_refused(tmp_path):
    data = b"%PDF-1.4\n" + b"rac " * 2000 + b"\n%%EOF\n"
    assert "PDF" in _refused(_write(tmp_path, "hong.pdf", data))


# --- wrong extensions ---------------------------------------------------------------


def test_a_pdf_named_docx_is_read_as_pdf_with_a_note(tmp_path):
    document = read_document(_write(tmp_path, "nham.docx", _pdf([EXPORTS])))
    assert document.kind == "pdf"
    assert EXPORTS in document.text
    assert any(".docx" in note and "PDF" in note for note in document.notes)


def test_a_docx_named_pdf_is_read_as_docx_with_a_note(tmp_path):
    document = read_document(_write(tmp_path, "nham.pdf", _docx()))
    assert document.kind == "docx"
    assert EXPORTS in document.text
    assert any(".pdf" in note for note in document.notes)


def test_html_named_txt_is_read_as_html_with_a_note(tmp_path):
    page = f"<!DOCTYPE html><html><body><article><p>{GROWTH}</p></article></body></html>"
    document = read_document(_write(tmp_path, "trang.txt", page.encode()))
    assert document.kind == "html"
    assert document.text == GROWTH
    assert any(".txt" in note and "HTML" in note for note in document.notes)


def test_text_named_pdf_is_read_as_text_with_a_note(tmp_path):
    document = read_document(_write(tmp_path, "nham.pdf", GROWTH.encode()))
    assert document.kind == "txt"
    assert document.text == GROWTH
    assert document.notes


# --- HTML ---------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>Cổng thông tin điện tử tỉnh</title>
  <style>body {{ font-family: sans-serif; }}</style>
  <script>var tracking = "GRDP 99%";</script>
</head>
<body>
  <header><div class="logo">CỔNG THÔNG TIN ĐIỆN TỬ TỈNH</div></header>
  <nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/tin">Tin tức</a></li></ul></nav>
  <div class="layout">
    <aside><h3>Tin mới</h3><p>Hội nghị xúc tiến đầu tư thu hút 5.000 tỷ đồng.</p></aside>
    <article>
      <header><h1>Kinh tế tỉnh năm 2023</h1></header>
      <p>{growth}</p>
      <p>{exports}</p>
      <div class="share">Chia sẻ: Facebook Zalo</div>
      <table>
        <tr><th>Chỉ tiêu</th><th>Đơn vị</th><th>2023</th></tr>
        <tr><td>Xuất khẩu</td><td>triệu USD</td><td>1.477,8</td></tr>
      </table>
      <script>document.write("quảng cáo 1.000 tỷ");</script>
    </article>
  </div>
  <form><input name="q"><button>Tìm kiếm</button></form>
  <footer><p>Bản quyền © 2024 UBND tỉnh. Địa chỉ: số 1 đường Hùng Vương.</p></footer>
</body>
</html>
"""


def test_html_keeps_only_the_article(tmp_path):
    page = PAGE.format(growth=GROWTH, exports=EXPORTS)
    document = read_document(_write(tmp_path, "tin.html", page.encode()))
    assert document.kind == "html"
    assert document.text.split("\n") == [
        "Kinh tế tỉnh năm 2023",
        GROWTH,
        EXPORTS,
        "Chỉ tiêu\tĐơn vị\t2023",
        "Xuất khẩu\ttriệu USD\t1.477,8",
    ]


def test_html_without_article_takes_the_block_with_most_paragraph_text(tmp_path):
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258"></head>
    <body><div id="menu"><a href="/">Trang chủ</a> | <a href="/lien-he">Liên hệ</a></div>
    <h1>Báo cáo kinh tế - xã hội</h1>
    <div class="noi-dung"><p>{GROWTH}<p>{EXPORTS}<br>{HANDS}</div>
    <div class="chan-trang"><p>Ghi rõ nguồn khi phát hành lại.</p></div></body></html>"""
    document = read_document(_write(tmp_path, "cu.htm", cp1258(page)))
    assert document.text.split("\n") == ["Báo cáo kinh tế - xã hội", GROWTH, EXPORTS, HANDS]
    assert any("windows-1258" in note for note in document.notes)


def test_an_html_page_without_text_is_refused(tmp_path):
    page = "<html><body><nav>Trang chủ</nav><script>x = 1</script></body></html>"
    assert "không có nội dung chữ" in _refused(_write(tmp_path, "trong.html", page.encode()))
