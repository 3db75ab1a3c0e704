"""Office files are zips: their members are counted and sized before a library inflates them.

python-docx and openpyxl inflate and parse whole XML parts in memory, so a file
whose members would inflate past what a report or a spreadsheet can be (a zip
bomb) is refused from its directory alone, before a byte is inflated.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import BinaryIO

from chitieu._errors import InputError

MAX_MEMBERS = 10_000
# Office XML compresses 5–20 times; a member inflating hundreds of times is a bomb.
MAX_RATIO = 100
RATIO_FROM = 1024 * 1024


def zip_members(name: str, source: BinaryIO | Path, what: str) -> list[zipfile.ZipInfo]:
    """The members of a zip's directory; a damaged zip is one ``InputError``."""
    try:
        with zipfile.ZipFile(source) as archive:
            return archive.infolist()
    # A damaged directory raises BadZipFile, EOFError, OSError, ValueError, and
    # NotImplementedError for a version byte or a method it does not know; each
    # means only that the file cannot be read.
    except Exception as exc:
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InputError(
            f"{name}: không đọc được {what} (bị cắt cụt hoặc hỏng: {reason})"
        ) from None


def check_inflation(
    name: str, members: list[zipfile.ZipInfo], what: str, *, max_uncompressed: int
) -> None:
    """Refuse a zip with too many members, or inflating too far in all or in one member.

    zipfile stops a member at its declared size, so the declared sizes bound
    what a library can inflate.
    """
    if len(members) > MAX_MEMBERS:
        raise InputError(
            f"{name}: {what} có {len(members)} tệp con, quá giới hạn {MAX_MEMBERS} "
            "(nghi là zip bomb)"
        )
    total = sum(member.file_size for member in members)
    if total > max_uncompressed:
        raise InputError(
            f"{name}: {what} giải nén ra {total / 2**20:.0f} MB, quá giới hạn "
            f"{max_uncompressed // 2**20} MB (nghi là zip bomb)"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise InputError(
                f"{name}: {member.filename} trong {what} nén {ratio:.0f} lần, quá giới hạn "
                f"{MAX_RATIO} lần (nghi là zip bomb)"
            )
