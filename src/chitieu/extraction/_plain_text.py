"""Plain text: a file's bytes as text, in UTF-8 unchanged or in the likeliest encoding.

Also what every reader shares: a rendered text in NFC, and an exception's
message on one line for an ``InputError``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from chitieu._errors import InputError

# Bytes that no text file holds in number (tab, line feed, form feed and
# carriage return are text). Above this share a file is binary, not text.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
MAX_CONTROL_SHARE = 0.01


def one_line(exc: BaseException) -> str:
    """An exception's message squeezed onto one short line, for an InputError."""
    words = " ".join(str(exc).split()) or type(exc).__name__
    return words if len(words) <= 160 else words[:157] + "…"


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
# Letters only Vietnamese writes: ă đ ơ ư and the precomposed toned vowels.
_VIETNAMESE_LETTER = re.compile("[ăĂđĐơƠưƯ\u1ea0-\u1ef9]")
_COMBINING_MARK = re.compile("[\u0300-\u036f]")


def read_txt(name: str, data: bytes) -> tuple[str, list[str]]:
    text, notes = decode_text(name, data)
    if not unicodedata.is_normalized("NFC", text):
        # Kept as is (offsets point into it), but worth knowing when a word
        # written with combining marks does not match its precomposed spelling.
        notes.append("văn bản dùng dấu tổ hợp (không ở dạng Unicode NFC); giữ nguyên")
    return text, notes


def decode_text(name: str, data: bytes) -> tuple[str, list[str]]:
    """Bytes to text: UTF-8 unchanged when it is UTF-8, else the likeliest encoding."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return _decode_with_bom(name, data[len(bom) :], codec, label)
    if control_share(data) > MAX_CONTROL_SHARE:
        found = _utf16_without_bom(data)
        if found is None:
            raise InputError(
                f"{name}: nội dung nhị phân (nhiều byte điều khiển/NUL), không phải văn bản"
            )
        return _require_text(name, found[0]), [
            f"đọc theo mã {found[1]} (không có BOM), không phải UTF-8"
        ]
    try:
        return _require_text(name, data.decode("utf-8")), []
    except UnicodeDecodeError:
        text, notes = _decode_legacy(data)
        return _require_text(name, text), notes


def _decode_with_bom(name: str, body: bytes, codec: str, label: str) -> tuple[str, list[str]]:
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: có dấu BOM {label} nhưng byte thứ {exc.start} sau BOM không giải mã được"
        ) from None
    if codec == "utf-8":
        return _require_text(name, text), ["bỏ dấu BOM UTF-8 ở đầu tệp"]
    return _require_text(name, text), [f"đọc theo mã {label} (có BOM), không phải UTF-8"]


def _require_text(name: str, text: str) -> str:
    if not text.strip():
        raise InputError(f"{name}: tệp rỗng (chỉ có khoảng trắng), không có chữ để đọc")
    return text


def control_share(data: bytes) -> float:
    # bytes.translate runs in C: linear and fast even on 50 MB.
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a BOM, told by where its NUL bytes fall, if it is that."""
    if len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    # ASCII letters, digits and spaces are most of any Vietnamese text, and in
    # UTF-16 each has a NUL on the same side of every pair.
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        codec, label = "utf-16-le", "UTF-16LE"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        codec, label = "utf-16-be", "UTF-16BE"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if control_share(text.encode("utf-8")) > MAX_CONTROL_SHARE:
        return None
    return text, label


def _decode_legacy(data: bytes) -> tuple[str, list[str]]:
    """Text that is not UTF-8: mostly UTF-8 with a few bad bytes, cp1258, or Western."""
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    non_ascii = len(data) - len(data.translate(None, bytes(range(0x80))))
    # A file of UTF-8 damaged in a few places (cut mid-character, joined with
    # another file) reads better as UTF-8 than as cp1258 mojibake.
    if non_ascii - bad >= 20 * bad:
        return replaced, [f"{bad} chỗ không phải UTF-8 hợp lệ, thay bằng ký tự U+FFFD"]
    try:
        decomposed = data.decode("cp1258")
    except UnicodeDecodeError:
        pass
    else:
        # cp1258 writes tones as combining marks: compose them, or no search
        # for "tăng trưởng" would match the text.
        text = unicodedata.normalize("NFC", decomposed)
        letters = len(_VIETNAMESE_LETTER.findall(text))
        if letters and len(_COMBINING_MARK.findall(text)) <= 0.05 * letters:
            return text, [
                "đọc theo mã cp1258 (Windows tiếng Việt), không phải UTF-8; "
                "dấu thanh tổ hợp đã ghép về dạng dựng sẵn (NFC)"
            ]
    try:
        return data.decode("cp1252"), ["đọc theo mã windows-1252, không phải UTF-8"]
    except UnicodeDecodeError:
        return data.decode("latin-1"), ["đọc theo mã latin-1 (đoán), không phải UTF-8"]


def normalised(text: str, notes: list[str]) -> str:
    """A rendered document's text in NFC, so that words match however they were typed."""
    if unicodedata.is_normalized("NFC", text):
        return text
    notes.append("chuẩn hoá Unicode về NFC (tài liệu dùng dấu tổ hợp)")
    return unicodedata.normalize("NFC", text)
