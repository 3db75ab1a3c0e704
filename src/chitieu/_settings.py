"""Settings are read once by the entry points and passed down; nothing reads them at import.

They are read by hand, not with pydantic-settings, whose import (with pydantic's core)
cost every command a sixth of its start-up. The rules are the ones that class applied
(tests/test_settings.py holds them to it): a value given in code must already have its
field's type; one from the environment (``CHITIEU_<FIELD>``, any case) is read from its text.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any, Literal

DEFAULT_DATABASE_FILE = "chitieu.db"
# Good enough on a laptop; `chitieu serve` refuses it outside development mode.
DEVELOPMENT_SECRET = "chitieu-development-secret-do-not-use-in-production"
ENV_PREFIX = "CHITIEU_"

# Each field: its kind ("str", "optional str", "float", "int", "bool", or the tuple of
# the values a choice allows) and its default.
_FIELDS: dict[str, tuple[str | tuple[str, ...], object]] = {
    "database_url": ("str", DEFAULT_DATABASE_FILE),
    # How long an SQLite writer waits its turn behind another (a large import) before
    # giving up with "database busy"; PostgreSQL writers simply wait.
    "database_busy_seconds": ("float", 30.0),
    "lang": (("vi", "en"), "vi"),
    # The web application's; see docs/web.md.
    "mode": (("development", "production"), "development"),
    "secret_key": ("str", DEVELOPMENT_SECRET),
    "public": ("bool", False),
    "max_upload_bytes": ("int", 20 * 1024 * 1024),
    "session_hours": ("int", 12),
    # Failed sign-ins allowed in the window per user name (from any address), and per
    # address (many people behind one office router share it, so far more).
    "login_attempts": ("int", 5),
    "login_address_attempts": ("int", 50),
    "login_window_seconds": ("int", 300),
    # Proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated.
    "trusted_proxies": ("str", ""),
    # Pages drawn for everyone, kept in memory per data version (0 keeps none).
    "page_cache_entries": ("int", 256),
    # `chitieu extract/ingest` send files to this Dask scheduler (tcp://host:port).
    "dask_scheduler": ("optional str", None),
}
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


class SettingsError(ValueError):
    """Values the settings cannot take, each as pydantic reported it (``errors()``)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self._problems = problems
        lines = [f"{len(problems)} validation error(s) for Settings"]
        for problem in problems:
            lines += [problem["loc"][0], f"  {problem['msg']} [input_value={problem['input']!r}]"]
        super().__init__("\n".join(lines))

    def errors(self) -> list[dict[str, Any]]:
        return [dict(problem) for problem in self._problems]


class Settings:
    """Where the database is and how to talk to people.

    ``database_url`` takes an SQLAlchemy URL (``postgresql+psycopg://…``) or a
    plain path to an SQLite file, which is created on first use. A value passed
    here wins over the environment's; names that are no setting are ignored.
    """

    database_url: str
    database_busy_seconds: float
    lang: Literal["vi", "en"]
    mode: Literal["development", "production"]
    secret_key: str
    public: bool
    max_upload_bytes: int
    session_hours: int
    login_attempts: int
    login_address_attempts: int
    login_window_seconds: int
    trusted_proxies: str
    page_cache_entries: int
    dask_scheduler: str | None

    def __init__(self, **values: Any) -> None:
        # As pydantic-settings reads it: names in any case, the last spelling listed winning.
        environment = {name.lower(): text for name, text in os.environ.items()}
        problems: list[dict[str, Any]] = []
        for name, (kind, default) in _FIELDS.items():
            if name in values:
                value, problem = _given(kind, values[name])
            elif (text := environment.get(f"{ENV_PREFIX}{name}".lower())) is not None:
                value, problem = _from_text(kind, text)
            else:
                value, problem = default, None
            if problem is not None:
                problems.append(
                    {"type": problem[0], "loc": (name,), "msg": problem[1], "input": value}
                )
            object.__setattr__(self, name, value)
        if problems:
            raise SettingsError(problems)

    def model_dump(self) -> dict[str, Any]:
        """Every setting by name, in the order they are declared."""
        return {name: getattr(self, name) for name in _FIELDS}

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Settings:
        """A copy with ``update``'s values, taken as they are (as pydantic does)."""
        copy = object.__new__(Settings)
        for name, value in {**self.model_dump(), **(update or {})}.items():
            object.__setattr__(copy, name, value)
        return copy

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.model_dump().items())
        return f"Settings({shown})"


_Problem = tuple[str, str] | None


def _given(kind: str | tuple[str, ...], value: object) -> tuple[object, _Problem]:
    """A value passed in code: it must already be of its field's type (strict mode)."""
    if isinstance(kind, tuple):
        return value, None if value in kind and isinstance(value, str) else _choice(kind)
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value), None
        return value, ("float_type", "Input should be a valid number")
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return value, None if ok else ("int_type", "Input should be a valid integer")
    if kind == "bool":
        ok = isinstance(value, bool)
        return value, None if ok else ("bool_type", "Input should be a valid boolean")
    if value is None and kind == "optional str":
        return None, None
    ok = isinstance(value, str)
    return value, None if ok else ("string_type", "Input should be a valid string")


def _from_text(kind: str | tuple[str, ...], text: str) -> tuple[object, _Problem]:
    """A value from the environment, read as pydantic-settings reads it in strict mode.

    The text is read leniently for its type, else as JSON (" true", "1e3"); text that
    neither reading takes is refused as text of the wrong type.
    """
    if isinstance(kind, tuple):
        return text, None if text in kind else _choice(kind)
    if kind in ("str", "optional str"):
        return text, None
    read = _lenient(kind, text)
    if read is None:
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = text
        if not isinstance(decoded, str):
            read = _lenient(kind, decoded)
    if read is not None:
        return read[0], None
    return text, _WRONG_TYPE[kind]


_WRONG_TYPE = {
    "float": ("float_type", "Input should be a valid number"),
    "int": ("int_type", "Input should be a valid integer"),
    "bool": ("bool_type", "Input should be a valid boolean"),
}
_WHOLE = re.compile(r"([+-]?[0-9](?:_?[0-9])*)(?:\.0+)?")


def _lenient(kind: str, value: object) -> tuple[object] | None:
    """``value`` as pydantic's lax mode reads it for ``kind``, in a 1-tuple; None if it cannot."""
    if isinstance(value, str):
        if kind == "bool":
            word = value.lower()
            return (word in _TRUE,) if word in _TRUE or word in _FALSE else None
        if kind == "int":
            whole = _WHOLE.fullmatch(value.strip())
            return (int(whole.group(1)),) if whole else None
        # pydantic takes digits grouped by "_" only when nothing surrounds them: "1_0", not " 1_0".
        if not value.isascii() or ("_" in value and value != value.strip()):
            return None
        try:
            return (float(value),)
        except ValueError:
            return None
    if not isinstance(value, bool | int | float):
        return None
    if kind == "float":
        return (float(value),)
    if kind == "int":
        return (int(value),) if math.isfinite(value) and float(value).is_integer() else None
    return (bool(value),) if value in (0, 1) else None


def _choice(kind: tuple[str, ...]) -> tuple[str, str]:
    allowed = " or ".join(f"'{value}'" for value in kind)
    return "literal_error", f"Input should be {allowed}"


def database_url(value: str) -> str:
    """Turn a path into an SQLite URL; leave URLs alone."""
    if "://" in value:
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; the bare scheme would ask for psycopg2.
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"
