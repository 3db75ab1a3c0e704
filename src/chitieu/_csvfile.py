"""Reading CSV files row by row, keeping the line number of each row for messages."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from chitieu._errors import InputError


def read_rows(path: Path, *, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with every cell stripped; check the header first."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"{path}: không mở được tệp ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: tệp không phải UTF-8") from exc
        missing = [name for name in required if name not in header]
        if missing:
            raise InputError(f"{path}: thiếu cột {', '.join(missing)}")
        line = reader.line_num
        try:
            for row in reader:
                if any((value or "").strip() for value in row.values()):
                    yield line + 1, {k: (v or "").strip() for k, v in row.items() if k}
                line = reader.line_num
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: dòng {line + 1}: tệp không phải UTF-8") from exc
        except csv.Error as exc:
            raise InputError(f"{path}: dòng {line + 1}: {exc}") from exc
