"""Settings read by hand behave as the pydantic-settings class they replace.

The reference below is the class as it was declared (strict, ``CHITIEU_`` prefix, other
names ignored); both read the same environment and arguments, and must agree on every
value and on which fields they refuse, with pydantic's messages.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict

from chitieu._settings import DEFAULT_DATABASE_FILE, DEVELOPMENT_SECRET, Settings


class Reference(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHITIEU_", extra="ignore", strict=True)

    database_url: str = DEFAULT_DATABASE_FILE
    database_busy_seconds: float = 30.0
    lang: Literal["vi", "en"] = "vi"
    mode: Literal["development", "production"] = "development"
    secret_key: str = DEVELOPMENT_SECRET
    public: bool = False
    max_upload_bytes: int = 20 * 1024 * 1024
    session_hours: int = 12
    login_attempts: int = 5
    login_address_attempts: int = 50
    login_window_seconds: int = 300
    trusted_proxies: str = ""
    page_cache_entries: int = 256
    dask_scheduler: str | None = None


def _outcome(make: Any, **values: Any) -> Any:
    try:
        return make(**values).model_dump()
    except ValueError as exc:
        return sorted((e["loc"], e["type"], e["msg"]) for e in exc.errors())  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _no_settings_in_environment(monkeypatch):
    import os

    for name in list(os.environ):
        if name.upper().startswith("CHITIEU_"):
            monkeypatch.delenv(name)


TEXTS = {
    "session_hours": [
        "3",
        " 3",
        "+3",
        "-3",
        "03",
        "1_000",
        "3.0",
        "1e3",
        "3.5",
        "0x10",
        "",
        "x",
        "true",
    ],
    "database_busy_seconds": ["0.5", "1", " 1 ", ".5", "5.", "1e3", "1_0", "inf", "", "abc"],
    "public": ["true", "TRUE", " yes", "on", "t", "1", "0", "OFF", "n", "false", "2", ""],
    "lang": ["vi", "en", "VI", " en", "fr", ""],
    "mode": ["production", "Production"],
    "dask_scheduler": ["", "None", "tcp://h:8786"],
    "secret_key": ["", "  spaced  "],
    "database_url": ["x.db", "postgresql://u@h/db"],
}


@pytest.mark.parametrize(
    ("field", "text"), [(field, text) for field, texts in TEXTS.items() for text in texts]
)
def test_a_value_from_the_environment_is_read_alike(monkeypatch, field, text):
    monkeypatch.setenv(f"CHITIEU_{field.upper()}", text)
    assert repr(_outcome(Settings)) == repr(_outcome(Reference))


def test_numbers_and_switches_padded_or_written_as_json_are_read_alike(monkeypatch):
    words = ["3", "3.0", "1e3", "3.5", "-2", "0.5", "1.", ".5", "1_0", "inf", "nan", "null"]
    words += ["true", "True", "YES", "yes", "t", "1", "0", "off", "[1]", '"3"', '"yes"', "vi"]
    padded = [
        f"{before}{word}{after}"
        for word in words
        for before in ("", " ", "\n")
        for after in ("", " ")
    ]
    for field in ("session_hours", "database_busy_seconds", "public", "lang", "dask_scheduler"):
        for text in padded:
            monkeypatch.setenv(f"CHITIEU_{field.upper()}", text)
            # repr: a NaN read alike is equal to itself only in its repr.
            assert repr(_outcome(Settings)) == repr(_outcome(Reference)), (field, text)
        monkeypatch.delenv(f"CHITIEU_{field.upper()}")


def test_the_environment_names_any_case_and_arguments_win(monkeypatch):
    monkeypatch.setenv("chitieu_session_hours", "7")
    monkeypatch.setenv("CHITIEU_LANG", "fr")
    assert Settings(lang="en").session_hours == 7
    assert _outcome(Settings, lang="en") == _outcome(Reference, lang="en")
    assert _outcome(Settings) == _outcome(Reference)


GIVEN: list[tuple[str, Any]] = [
    ("database_busy_seconds", 1),
    ("database_busy_seconds", 2.5),
    ("database_busy_seconds", True),
    ("database_busy_seconds", "1"),
    ("session_hours", 2),
    ("session_hours", 2.0),
    ("session_hours", False),
    ("public", True),
    ("public", 1),
    ("public", "true"),
    ("lang", "en"),
    ("lang", "VI"),
    ("mode", "production"),
    ("mode", 1),
    ("database_url", 1),
    ("dask_scheduler", None),
    ("dask_scheduler", 3),
    ("nonsense", 1),
]


@pytest.mark.parametrize(("field", "value"), GIVEN)
def test_a_value_given_in_code_is_checked_alike(field, value):
    assert _outcome(Settings, **{field: value}) == _outcome(Reference, **{field: value})


def test_every_refused_field_is_reported_with_pydantic_messages():
    for (a, x), (b, y) in itertools.combinations([("lang", "fr"), ("public", 1), ("mode", "")], 2):
        assert _outcome(Settings, **{a: x, b: y}) == _outcome(Reference, **{a: x, b: y})
    with pytest.raises(ValueError) as refused:
        Settings(lang="fr")
    assert refused.value.errors()[0]["msg"] == "Input should be 'vi' or 'en'"  # type: ignore[attr-defined]


def test_copies_dumps_and_equality_match():
    settings, reference = Settings(mode="production"), Reference(mode="production")
    assert settings.model_dump() == reference.model_dump()
    assert list(settings.model_dump()) == list(reference.model_dump())
    copied = settings.model_copy(update={"secret_key": "k"})
    assert copied.secret_key == "k" and settings.secret_key != "k"
    assert copied.model_dump() == reference.model_copy(update={"secret_key": "k"}).model_dump()
    assert Settings() == Settings() and Settings() != Settings(lang="en")
