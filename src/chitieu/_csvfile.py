"""Reading CSV files row by row, keeping the line number of each row for messages.

Excel and LibreOffice Calc set to Vietnamese save CSV with ``;`` between
fields, the comma being their decimal mark (``13,5``; ``1.234,5``): the
separator is read from the header line. A row with more or fewer fields than
the header is never cut or padded to fit, since an unquoted ``13,5`` in a
comma-separated file would then be read as 13 with a stray 5. The file may be
UTF-8, UTF-16 or Windows-1258 (see ``_decode``); ``csv_format`` says which,
and which separator, so the sender can check what was read.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from chitieu._errors import InputError

_SEPARATORS = (",", ";", "\t")
_SEPARATOR_LINE = re.compile(r"sep=(.)\r?\n?")  # what Excel writes to name the separator
_NUMBER_HEAD = re.compile(r"[+-]?\d{1,3}(\.\d{3})+|[+-]?\d+")
_NUMBER_TAIL = re.compile(r"\d+")
_SAVE_AS_UTF8 = (
    "hãy lưu lại bằng «CSV UTF-8» (Excel: Lưu thành → CSV UTF-8; "
    "LibreOffice: bộ ký tự Unicode (UTF-8))"
)


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One row of the file by its line; ``problem`` says why it cannot be read, if so."""

    line: int
    cells: dict[str, str]
    problem: str | None = None
    separator: str = ","


def read_rows(path: Path, *, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with every cell stripped; the first bad row stops the file."""
    for row in read_records(path, required=required):
        if row.problem is not None:
            raise InputError(f"{path}: dòng {row.line}: {row.problem}")
        yield row.line, row.cells


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """How a file was read: its character encoding and the separator between its columns."""

    encoding: str
    separator: str

    def describe(self, lang: str = "vi") -> str:
        if lang == "en":
            name = {",": "commas", ";": "semicolons", "\t": "tabs"}.get(self.separator, "")
            return f"read as {self.encoding}, columns separated by {name or self.separator}"
        mark = "" if self.separator == "\t" else f" ({self.separator})"
        return (
            f"đọc theo bảng mã {self.encoding}, các cột phân cách bằng "
            f"dấu {_separator_name(self.separator)}{mark}"
        )


SEPARATOR_KEYS = {",": "comma", ";": "semicolon", "\t": "tab"}


def csv_format(path: Path) -> CsvFormat:
    """The encoding and separator ``read_records`` reads ``path`` with."""
    text, encoding = _decode(path)
    _handle, separator, _skipped = _open(text)
    return CsvFormat(encoding, separator)


def _open(text: str) -> tuple[io.StringIO, str, int]:
    handle = io.StringIO(text, newline="")
    first = handle.readline()
    named = _SEPARATOR_LINE.fullmatch(first)
    if named:
        return handle, named[1], 1
    handle.seek(0)
    return handle, _separator(first), 0


def read_records(path: Path, *, required: Sequence[str]) -> Iterator[CsvRow]:
    """Every non-blank row, a row that cannot be read carrying its problem; header checked first."""
    text, _encoding = _decode(path)
    handle, separator, skipped = _open(text)
    reader = csv.reader(handle, delimiter=separator)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise InputError(f"{path}: dòng {skipped + 1}: {exc}") from exc
    if any("\x00" in name for name in header):
        raise InputError(
            f"{path}: dòng tiêu đề có ký tự NUL: tệp không phải văn bản CSV UTF-8; {_SAVE_AS_UTF8}"
        )
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(f"{path}: thiếu cột {', '.join(missing)}")
    line = reader.line_num
    try:
        for fields in reader:
            number = skipped + line + 1
            line = reader.line_num
            if any(field.strip() for field in fields):
                yield _record(number, header, fields, separator)
    except csv.Error as exc:
        raise InputError(f"{path}: dòng {skipped + line + 1}: {exc}") from exc


def _decode(path: Path) -> tuple[str, str]:
    """The file's text and the name of the encoding it was read with.

    UTF-8 first; then UTF-16 (Excel's and Calc's "Unicode Text"), told by its BOM
    or by the NUL byte beside every ASCII letter; then Windows-1258, what Excel on
    a Vietnamese Windows saves as "CSV", its tones composed back (NFC). The result
    names the encoding, so a sender who meant another one sees it.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: không mở được tệp ({exc.strerror})") from exc
    codec = _utf16(data)
    if codec is not None:
        try:
            return data.decode(codec), "UTF-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: tệp UTF-16 hỏng ở byte {exc.start}") from exc
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        failed = exc
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258")), "Windows-1258"
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, failed.start) + 1
        raise InputError(
            f"{path}: dòng {line}: tệp không phải UTF-8, UTF-16 hay Windows-1258; {_SAVE_AS_UTF8}"
        ) from failed


def _utf16(data: bytes) -> str | None:
    """The codec of UTF-16 text, with or without its BOM, or None when it is not."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    half = len(sample) // 2
    # Headers, codes, digits and separators are ASCII: in UTF-16 each has a NUL on one side.
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even == 0:
        return "utf-16-le"
    if even > 0.3 * half and odd == 0:
        return "utf-16-be"
    return None


def _separator(header: str) -> str:
    """The separator splitting the header into the most columns; a comma when none does."""
    counts = {s: len(next(csv.reader([header], delimiter=s), [])) for s in _SEPARATORS}
    return max(_SEPARATORS, key=lambda s: (counts[s], s == ","))


def _record(line: int, header: list[str], fields: list[str], separator: str) -> CsvRow:
    cells = {name: field.strip() for name, field in zip(header, fields, strict=False) if name}
    if len(fields) != len(header):
        return CsvRow(line, cells, _width_problem(header, fields, separator), separator)
    for name, field in zip(header, fields, strict=True):
        if "\x00" in field:
            return CsvRow(
                line,
                cells,
                f"ô ở cột {name or '(không tên)'} có ký tự NUL (mã 0), không ghi được: "
                "xoá ký tự này trong tệp rồi gửi lại",
                separator,
            )
    return CsvRow(line, cells, None, separator)


def split_number(head: str, tail: str) -> str | None:
    """``head,tail`` when two cells look like one number cut at its decimal comma."""
    head, tail = head.strip(), tail.strip()
    if _NUMBER_HEAD.fullmatch(head) and _NUMBER_TAIL.fullmatch(tail):
        return f"{head},{tail}"
    return None


def decimal_comma_fix(number: str) -> str:
    return (
        f"có lẽ số {number} viết dấu phẩy thập phân; đặt số trong ngoặc kép "
        f'("{number}") hoặc lưu tệp với dấu chấm phẩy (;) phân cách các cột'
    )


def _width_problem(header: list[str], fields: list[str], separator: str) -> str:
    if len(fields) < len(header):
        return f"có {len(fields)} ô, ít hơn {len(header)} cột của dòng tiêu đề"
    said = f"có {len(fields)} ô, nhiều hơn {len(header)} cột của dòng tiêu đề"
    if separator == ",":
        # The likeliest reason: a number with a decimal comma, split in two.
        pairs = [split_number(head, tail) for head, tail in itertools.pairwise(fields)]
        numbers = [pair for pair in pairs if pair]
        if numbers:
            return f"{said}: {decimal_comma_fix(numbers[-1])}"
        return f'{said}: ô có dấu phẩy phải đặt trong ngoặc kép ("…")'
    return f"{said}: ô có dấu {_separator_name(separator)} phải đặt trong ngoặc kép"


def _separator_name(separator: str) -> str:
    return {",": "phẩy", ";": "chấm phẩy", "\t": "tab"}.get(separator, separator)
