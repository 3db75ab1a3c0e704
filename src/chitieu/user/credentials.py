"""What a user name and a password may be: one rule for the CLI, the web pages and the API.

User names: letters (Vietnamese ones included), digits and ``. _ - @ +``; one
script per name (``аdmin`` with a Cyrillic ``а`` is refused); and unique by
*skeleton* — case, width and the Cyrillic and Greek letters drawn like Latin
ones do not count, so ``ADMIN`` or ``аdmin`` cannot sit beside ``admin``.

Passwords: at least 8 characters, not on the list of the most common ones
(Vietnamese ones included), not a keyboard walk or a repetition, and not the
user's name or display name, in any case and with or without diacritics.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._errors import InputError
from chitieu._strength import fold, is_repetition, predictable_share
from chitieu.user.models import User

USERNAME = r"^[\w.@+-]{1,100}$"
MIN_PASSWORD_LENGTH = 8

# Letters of other scripts drawn like Latin ones (after NFKC), and digits like letters.
_LOOKALIKES = str.maketrans(
    {
        **dict.fromkeys("аАɑα", "a"),
        **dict.fromkeys("вВβΒЬ", "b"),
        **dict.fromkeys("сСϲϹ", "c"),
        **dict.fromkeys("ԁԀ", "d"),
        **dict.fromkeys("еЕёЁεΕ", "e"),
        **dict.fromkeys("һҺНΗ", "h"),
        **dict.fromkeys("іІїЇιΙӀӏ", "i"),
        **dict.fromkeys("јЈϳ", "j"),
        **dict.fromkeys("кКκΚ", "k"),
        **dict.fromkeys("1", "l"),
        **dict.fromkeys("мМΜ", "m"),
        **dict.fromkeys("ηΝ", "n"),
        **dict.fromkeys("оОοΟσ0", "o"),
        **dict.fromkeys("рРρΡ", "p"),
        **dict.fromkeys("ԛԚ", "q"),
        **dict.fromkeys("ѕЅ", "s"),
        **dict.fromkeys("тТτΤ", "t"),
        **dict.fromkeys("υμ", "u"),
        **dict.fromkeys("νѵ", "v"),
        **dict.fromkeys("ԝԜωѡ", "w"),
        **dict.fromkeys("хХχΧ", "x"),
        **dict.fromkeys("уУүҮγΥ", "y"),
        **dict.fromkeys("ΖζʐΖ", "z"),
    }
)

# The most used passwords (folded: lower case, letters and digits only), and the
# Vietnamese ones that lead the lists leaked from Vietnamese sites.
_COMMON = """
    123456 1234567 12345678 123456789 1234567890 0123456789 987654321 9876543210
    111111 11111111 000000 00000000 666666 66666666 888888 88888888 999999 99999999
    123123 123321 112233 121212 123654 123654789 147258369 147852369 159753 159357
    741852963 520520 5201314 131313 654321 696969 789456 789456123 456789 123abc
    password password1 passw0rd pass1234 passwd qwerty qwerty123 qwertyuiop qwe123
    123qwe 1q2w3e4r 1q2w3e4r5t 1qaz2wsx zaq12wsx qazwsx asdfgh asdfghjk asdfghjkl
    zxcvbnm zxcvbnm123 abc123 abcd1234 abcdef abcdefgh 1234abcd qwer1234 asdf1234
    iloveyou iloveu loveyou letmein welcome welcome1 monkey dragon master sunshine
    princess football baseball superman batman trustno1 shadow michael jennifer
    access starwars whatever freedom hello hello123 secret changeme default guest
    login admin admin123 administrator root toor user test test123 testtest demo
    matkhau matkhaumoi matkhau123 mk123456 anhyeuem emyeuanh yeuem yeuanh toiyeuem
    anhyeuem123 emyeuanh123 yeuemnhieu thuongem thuonganh iloveyouem xinchao
    vietnam vietnam123 hanoi saigon hochiminh dangnhap taikhoan quantri quantrivien
    khongbiet khongco conmeo concho bacgiang bacninh chitieu kehoach 1234567899
"""
COMMON_PASSWORDS = frozenset(_COMMON.split())
# Words that stay common with digits around them: matkhau2024, 123admin.
_COMMON_WORDS = frozenset(word for word in COMMON_PASSWORDS if not word.isdigit())
_DIGITS_AROUND = re.compile(r"^\d*(.*?)\d*$")
_NAME_PART = re.compile(r"[^\w]+|_")


def check_username(username: str) -> str:
    """The name as stored (trimmed, NFC), or InputError saying what is wrong with it."""
    name = unicodedata.normalize("NFC", username.strip())
    if not name:
        raise InputError("tên đăng nhập trống")
    if not re.fullmatch(USERNAME, name):
        raise InputError(
            f"tên đăng nhập «{name[:100]}» chỉ được gồm chữ, số và các dấu . _ - @ + "
            "(tối đa 100 ký tự)"
        )
    scripts = {_script(ch) for ch in name if ch.isalpha()}
    if len(scripts) > 1:
        raise InputError(
            f"tên đăng nhập «{name}» trộn chữ {' và '.join(sorted(scripts))}: "
            "dễ bị nhầm với tên khác, hãy dùng chữ của một bảng chữ cái"
        )
    return name


_SCRIPT_WORDS = {"LATIN": "Latin", "CYRILLIC": "Kirin", "GREEK": "Hy Lạp"}


def _script(letter: str) -> str:
    """Latin, Kirin, Hy Lạp…: from the first word of the letter's Unicode name."""
    script = unicodedata.name(letter, "?").split(" ", 1)[0]
    return _SCRIPT_WORDS.get(script, script.capitalize())


def skeleton(username: str) -> str:
    """What the name looks like on screen: names with one skeleton are confused by people."""
    text = unicodedata.normalize("NFKC", username.strip()).translate(_LOOKALIKES)
    return text.casefold().translate(_LOOKALIKES)


def lookalike_of(session: Session, *, username: str) -> str | None:
    """An existing user name that is, or looks like, ``username``."""
    wanted = skeleton(username)
    for existing in session.scalars(select(User.username)):
        if skeleton(existing) == wanted:
            return existing
    return None


def taken_message(username: str, existing: str) -> str:
    if existing == username.strip():
        return f"tên đăng nhập đã có: {existing}"
    return f"tên đăng nhập «{username.strip()}» dễ nhầm với «{existing}» đã có; hãy chọn tên khác"


def username_taken(session: Session, *, username: str) -> bool:
    return lookalike_of(session, username=username) is not None


def check_password(password: str, *, username: str, display_name: str | None = None) -> None:
    """InputError with the reason if the password is short, common or made from the name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự")
    plain, leet = fold(password), fold(password, leet=True)
    cores = {plain, leet, *(_core(text) for text in (plain, leet))}
    for name in _name_parts(username, display_name):
        if name in plain or name in leet or name[::-1] in plain:
            raise InputError(
                "mật khẩu không được trùng hoặc chứa tên đăng nhập hay họ tên của người dùng"
            )
    if cores & COMMON_PASSWORDS or {_core(plain), _core(leet)} & _COMMON_WORDS:
        raise InputError(
            "mật khẩu quá phổ biến (có trong danh sách mật khẩu hay bị dò đầu tiên); "
            "hãy chọn một cụm từ dài mà người khác không đoán được"
        )
    if is_repetition(password.casefold()) or len(set(password.casefold())) < 4:
        raise InputError(
            "mật khẩu chỉ lặp lại vài ký tự (như aaaaaaaa, abcabcab); hãy chọn mật khẩu khác"
        )
    if predictable_share(password) >= 0.75:
        raise InputError(
            "mật khẩu là một dãy phím hoặc ký tự liền nhau (như 12345678, qwertyui); "
            "hãy chọn mật khẩu khác"
        )


def _core(folded: str) -> str:
    """The password without the digits people add around a word (matkhau2024)."""
    match = _DIGITS_AROUND.fullmatch(folded)
    return match.group(1) if match else folded


def _name_parts(username: str, display_name: str | None) -> set[str]:
    """The whole names and their parts of 4 letters or more, folded."""
    parts = set()
    for name in (username, display_name or ""):
        whole = fold(name)
        if len(whole) >= 3:
            parts.add(whole)
        parts.update(p for piece in _NAME_PART.split(name) if len(p := fold(piece)) >= 4)
    return parts
