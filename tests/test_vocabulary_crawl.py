"""One vocabulary for people: every page, as every role, and the report, in Vietnamese and in
English, say things in words of their own language, with no code, key, flag, formula or markup
shown raw.

What counts as raw is built from the code's own keys and the database's, never typed here:
indicator, plan, agency and source-document keys as stored, the values every CHECK constraint
of the schema allows (statuses, kinds, measures), the audit log's action, record and field codes,
the assessment statuses and the CLI's own flags; markup (``<sup>``) and formulas
(``prev(POVERTY_RATE)``) are caught by their shape.

Words of the other language are looked for in what the page itself says, not in its data. Names,
titles, notes and quotes that the dataset stores in one language only (an agency's name, a plan's
title, a Vietnamese note under an English page, an English article's title on a Vietnamese page)
are the data's: every text the database holds is taken out of a page's text before it is read
for the other language (after the raw keys were looked for, since keys are data too).

A quote from a document's own text (the sentence a figure was read from) is the document's, in its
language: a piece of text found in a stored document is left out.

Some elements are read apart: ``<code>`` marks an identifier a person is shown *as* one, to type
it into a file or a command (an indicator's code on its own page) and a ``<textarea>`` holds what
a person edits (the scenario as a YAML file, in the CLI's format): both are left out. An element
carrying a ``lang`` of its own (the language switch, "English" / "Tiếng Việt") is read in that
language, so it is left out of the page's.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
import typer
import yaml
from sqlalchemy import String, Text, select
from sqlalchemy.engine import Engine

import chitieu.scenario
from chitieu import transaction
from chitieu._cli_group import ChitieuGroup
from chitieu._database import create_engine
from chitieu._orm import Base
from chitieu.assessment.service import STATUSES as ASSESSMENT_STATUSES
from chitieu.audit.words import ACTIONS, ENTITIES, FIELDS
from chitieu.cli import build_app
from chitieu.document.models import SourceDocument
from chitieu.document.service import cited_by_name
from chitieu.extraction.service import ingest_file
from chitieu.plan.models import Plan, Target
from chitieu.report.html import render_html
from chitieu.report.service import build_report
from tests.conftest import CORPUS
from tests.webkit import PASSWORD, ROLES, Web, build_web, page_csrf, page_paths, path_values

LANGS = ("vi", "en")
EXAMPLES = Path(chitieu.scenario.__file__).with_name("examples")

# Vietnamese letters that English never writes: a word holding one is a Vietnamese word.
VIETNAMESE_LETTER = "ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
VIETNAMESE_WORD = re.compile(rf"\b\w*[{VIETNAMESE_LETTER}]\w*\b", re.IGNORECASE)

# English words a Vietnamese page has no business saying: the chrome of web pages, error
# texts (Starlette's and pydantic's) and the words of the assessment and the figures. Matched
# whole and case-blind; \b is Unicode-aware, so "the" does not match in "thể". Words that are
# also Vietnamese ("in", "to", "an", "do", "ha") are left out.
ENGLISH = re.compile(
    r"\b(the|of|from|with|and|is|are|was|not|found|forbidden|error|errors|field|required"
    r"|invalid|missing|input|should|must|value|values|target|targets|status|source|sources"
    r"|disagrees|average|annual|growth|actual|estimate|preliminary|level|per|year|years"
    r"|period|total|share|plan|plans|indicator|indicators|agency|agencies|region|save|submit"
    r"|cancel|search|filter|page|next|previous|login|logout|password|user|username|admin"
    r"|planner|viewer|editor|none|true|false|null|unknown|undefined|pending|accepted|rejected"
    r"|done|achieved|report|news|statistics|resolution|chart|download|upload|file|date|note"
    r"|notes|unit|method|allowed|server|internal|because|cannot|please|sign|signed)\b",
    re.IGNORECASE,
)
# Letters that stand for themselves in both languages: international abbreviations the
# Vietnamese pages use as they are (GRDP, FDI, ICOR, TFP, CPI, PCI...), currency codes, the
# units of measure, and the product's own name. None of them is matched by ENGLISH above; they
# are listed so that a later, wider word list keeps them allowed.
BOTH_LANGUAGES = frozenset(
    {"GRDP", "GDP", "FDI", "ICOR", "TFP", "CPI", "PCI", "PAPI", "SIPAS", "USD", "VND", "API",
     "CSV", "XLSX", "PDF", "DOCX", "SVG", "HTML", "JSON", "URL", "ha", "km", "kg", "MW",
     "chitieu"}
)  # fmt: skip

# Shapes that are raw whatever the list of keys: markup shown as text, a formula.
MARKUP = re.compile(r"</?[a-z][a-z0-9]*(\s[^<>]*)?/?>")
FORMULA = re.compile(r"\b[a-z_]+\(\s*[A-Z][A-Z0-9_]+")
# A key is raw when it reads as one: words joined by "_" or "-" with a letter in each
# ("on_track", "web-langngheviet-2019", "GRDP_GROWTH"). A key of one plain word ("news",
# "login") is an English word: ENGLISH finds it on a Vietnamese page; on an English page it is one.
KEY_SHAPE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9]+([_-][A-Za-z0-9]+)+$")
# Data values too short or too common to take out of a page's text as the data's own
# ("hạng", a rank's unit, is one; "năm" is not).
SHORTEST_DATA = 4
# Longer data is a text, not a name, and is matched as a quote.
LONGEST_NAME = 1000
# A piece of a page's text this long found in a document's text is a quote from it.
QUOTED = 12


def _check_values() -> set[str]:
    """Every value a CHECK constraint of the schema allows (statuses, kinds, measures...)."""
    values: set[str] = set()
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                values.update(re.findall(r"'([^']+)'", str(constraint.sqltext)))
    return values


def _cli_flags() -> set[str]:
    command = typer.main.get_command(build_app())
    flags: set[str] = set()

    def walk(cmd: click.Command) -> None:
        if isinstance(cmd, ChitieuGroup):  # commands are imported on first use: load them all
            for name in list(cmd.commands):
                cmd.load(name)
        for param in cmd.params:
            flags.update(o for o in getattr(param, "opts", ()) if o.startswith("--"))
        for sub in getattr(cmd, "commands", {}).values():
            walk(sub)

    walk(command)
    return flags


def _database_strings(engine: Engine) -> set[str]:
    """Every string the database holds, its spaces as a page shows them, with the names the
    code makes of them (a plan's title without its bracketed details, a source's publisher and
    day) and the example scenario's own words."""
    found: set[str] = set()
    with transaction(engine) as session:
        found.update(plan.shown_name for plan in session.scalars(select(Plan)))
        found.update(doc.shown_name for doc in session.scalars(select(SourceDocument)))
        notes = session.scalars(select(Target.footnote).where(Target.footnote.is_not(None)))
        found.update(cited_by_name(session, note) for note in notes if note)
    for example in EXAMPLES.glob("*.yaml"):
        found.add(str(yaml.safe_load(example.read_text(encoding="utf-8")).get("name", "")))
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            # English versions (``*_en``) are not the data's words on a Vietnamese page: a
            # note in English there is a leak, so they are not taken out as data.
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, String | Text) and not c.name.endswith("_en")
            ]
            if not columns:
                continue
            for row in connection.execute(select(*columns)):
                found.update(" ".join(value.split()) for value in row if value)
    return found


@dataclass
class Vocabulary:
    keys: set[str]
    flags: set[str]
    data: re.Pattern[str]
    quotable: str
    seen: dict[str, list[str]] = field(default_factory=dict)

    def raw(self, text: str) -> list[str]:
        found = [m.group(0) for m in MARKUP.finditer(text)]
        found += [m.group(0) for m in FORMULA.finditer(text)]
        for token in re.findall(r"--?[a-z][a-z-]*|[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)+", text):
            if token in self.keys or token in self.flags:
                found.append(token)
        return found

    def other_language(self, text: str, lang: str) -> list[str]:
        # What is the data's and what is quoted may nest either way: a name inside a long
        # quote, quote marks inside a name ('lần thứ XVI' in a title), a footnote holding an
        # ellipsis. A word is the page's own only when no order of taking them out explains it.
        names, quotes, words = (lambda t: self.data.sub(" ", t)), self.unquoted, self.unquoted_words
        readings = [
            words(names(quotes(text))),
            names(words(quotes(text))),
            words(quotes(names(text))),
        ]
        found = [self._foreign(said, lang) for said in readings]
        return [word for word in found[0] if all(word in other for other in found[1:])]

    @staticmethod
    def _foreign(said: str, lang: str) -> list[str]:
        if lang == "vi":
            return [w for w in ENGLISH.findall(said) if w not in BOTH_LANGUAGES]
        return VIETNAMESE_WORD.findall(said)

    def unquoted(self, text: str) -> str:
        """``text`` without the long stretches of it, between ellipses or « », that quote a
        stored document (the sentence a figure was read from)."""
        pieces = re.split(r"[«»…]|\[EN\]", text)
        quoted = [p.strip(" ,.;:()'\"") for p in pieces]
        for piece in quoted:
            if len(piece) >= QUOTED and piece in self.quotable:
                text = text.replace(piece, " ")
        return text

    def unquoted_words(self, text: str) -> str:
        """``text`` without the words it quotes between quote marks ('năm 2024')."""
        for quoted in re.findall(r"'([^']{2,})'", text):
            if all(part.strip() in self.quotable for part in quoted.split("…")):
                text = text.replace(f"'{quoted}'", " ")
        return text

    def faults(self, texts: list[str], lang: str) -> list[str]:
        faults = []
        for text in texts:
            # Raw keys and markup are raw even inside a quote: a page shows a quote as words.
            bad = self.raw(text) + self.other_language(text, lang)
            if bad:
                faults.append(f"{sorted(set(bad))} in «{text[:160]}»")
        return faults


class _Text(HTMLParser):
    """The text a reader sees, one piece per block: words inside inline elements (a link, a
    ``<mark>`` on a quote's figure) stay in their sentence. Scripts, styles, what a person edits,
    ``<code>`` and elements in a language of their own are left out."""

    SKIPPED = frozenset({"script", "style", "code", "template", "textarea"})
    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col"})
    INLINE = frozenset(
        {"a", "abbr", "b", "em", "i", "mark", "s", "small", "span", "strong", "sub", "sup"}
    )

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[bool] = []
        self.texts: list[str] = []
        self.words: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self.words).split())
        if text:
            self.texts.append(text)
        self.words = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.INLINE:
            self._flush()
        if tag in self.VOID:
            return
        own = dict(attrs).get("lang")
        self.stack.append(tag in self.SKIPPED or (own is not None and own != self.lang))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.INLINE:
            self._flush()
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.words.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def visible_texts(html: str, lang: str) -> list[str]:
    parser = _Text(lang)
    parser.feed(html)
    parser.close()
    return parser.texts


@dataclass
class Site:
    web: Web
    vocabulary: Vocabulary
    paths: list[str]


def _vocabulary(engine: Engine) -> Vocabulary:
    short = _database_strings(engine)
    with engine.connect() as connection:
        # A user's name is what the user was given to sign in with: the test's are named
        # after their roles ("agency_editor"), and shown as such.
        usernames = set(connection.scalars(sa.text("select username from app_user")))
    keys = {value for value in short | _check_values() if KEY_SHAPE.match(value)} - usernames
    keys |= {key for table in (ACTIONS, ENTITIES, FIELDS) for key in table if "_" in key}
    keys |= {status for status in ASSESSMENT_STATUSES if "_" in status}
    # The data's own texts, longest first so that a name is taken out whole before its parts.
    names = sorted((s for s in short if SHORTEST_DATA <= len(s) <= LONGEST_NAME
                    and not KEY_SHAPE.match(s)),
                   key=len, reverse=True)  # fmt: skip
    data = re.compile("|".join(re.escape(name) for name in names))
    # A quote shows a web page's words without its tags.
    quotable = "\n".join(short | {" ".join(MARKUP.sub("", s).split()) for s in short if "<" in s})
    return Vocabulary(keys=keys, flags=_cli_flags(), data=data, quotable=quotable)


@pytest.fixture(scope="module")
def site(_loaded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The loaded dataset, a news item read into figures to review, one client per role."""
    path = tmp_path_factory.mktemp("vocabulary") / "chitieu.db"
    shutil.copyfile(_loaded_sqlite_file, path)
    engine = create_engine(f"sqlite:///{path}")
    with transaction(engine) as session:
        ingest_file(session, path=sorted(CORPUS.glob("002_*.txt"))[0], recorded_by="planner")
    web = build_web(engine)
    paths = page_paths(web.app, path_values(engine))
    yield Site(web=web, vocabulary=_vocabulary(engine), paths=paths)
    for client in web.clients.values():
        client.close()
    engine.dispose()


@pytest.mark.parametrize(
    ("text", "lang", "bad"),
    [
        ("2019: dùng 16,2 (web-langngheviet-2019, ưu tiên số thực hiện)", "vi", True),
        ("Tốc độ tăng trưởng GRDP <sup>(*)</sup> %", "vi", True),
        ("mức <b>đạt</b> kế hoạch", "vi", True),
        ("giá trị = prev(POVERTY_RATE) − 1", "vi", True),
        ("chạy lại với --reason", "vi", True),
        ("trạng thái: insufficient_data", "vi", True),
        ("404 Not Found", "vi", True),
        ("tăng bình quân 7,5%/năm, average annual growth", "vi", True),
        ("GRDP, FDI và ICOR năm 2024: 209.150 nghìn tỷ đồng, 1,5 tỷ USD", "vi", False),
        ("Growth of 7.5% a year, short of the target (đạt 95%)", "en", True),
        ("GRDP growth at constant prices", "en", False),
    ],
)
def test_the_check_tells_raw_keys_and_the_other_language(site, text, lang, bad):
    assert bool(site.vocabulary.faults([text], lang)) is bad


def test_data_in_one_language_only_is_the_datas_own(site):
    # An agency's Vietnamese name on an English page is its name, not the page's chrome.
    assert site.vocabulary.faults(["Sở Tài chính tỉnh Bắc Ninh reports this figure"], "en") == []
    assert site.vocabulary.faults(["Sở Tài chính tỉnh Bắc Ninh báo cáo"], "en") != []


def _crawl(site: Site, role: str, lang: str) -> dict[str, list[str]]:
    client = site.web.clients[role]
    client.get(f"/overview?lang={lang}")  # the switch: the cookie keeps the language
    found: dict[str, list[str]] = {}
    pages = 0
    for path in [*site.paths, "/no-such-page"]:
        answer = client.get(path)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        pages += 1
        if faults := site.vocabulary.faults(visible_texts(answer.text, lang), lang):
            found[path] = faults
    assert pages >= 15, f"too few pages crawled: {pages}"
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_the_readers_language_with_nothing_raw(site, role, lang):
    found = _crawl(site, role, lang)
    assert found == {}, "\n".join(
        f"{path}: {fault}" for path, faults in found.items() for fault in faults
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_login_error_is_in_the_readers_language_only(site, lang):
    client = site.web.anonymous()
    client.get(f"/login?lang={lang}")
    answer = client.post(
        "/login",
        data={
            "username": "admin",
            "password": PASSWORD + "-sai",
            "csrf_token": page_csrf(client.get("/login").text),
        },
    )
    texts = visible_texts(answer.text, lang)
    assert site.vocabulary.faults(texts, lang) == []
    assert any(("mật khẩu" if lang == "vi" else "password") in t for t in texts), texts


@pytest.mark.parametrize("lang", LANGS)
def test_a_form_refused_by_its_checks_says_why_in_the_readers_language(site, lang):
    client = site.web.clients["planner"]
    client.get(f"/overview?lang={lang}")
    # The entry form's notice takes a count of rows: a word is refused before the view runs.
    answer = client.get("/entry", params={"rows": "mot"})
    assert answer.status_code == 422
    assert site.vocabulary.faults(visible_texts(answer.text, lang), lang) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_speaks_the_readers_language_with_nothing_raw(site, lang):
    from datetime import date

    with transaction(site.web.engine) as session:
        html = render_html(build_report(session, as_of=date(2025, 12, 31), lang=lang))
    found = site.vocabulary.faults(visible_texts(html, lang), lang)
    assert found == [], "\n".join(found)
