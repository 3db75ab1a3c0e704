"""Jinja2 with chitieu's filters: Vietnamese numbers and dates, the two languages, CSRF."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2_fragments import render_block
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from chitieu import _format
from chitieu._errors import ChitieuError
from chitieu._formula import formula_words
from chitieu._labels import document_kind, unit_word, word
from chitieu._periods import parse_period
from chitieu.extraction.review import cue_words
from chitieu.web._auth import csrf_token, resolve_actor, session_cookie
from chitieu.web._cache import PageCache

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "chitieu_lang"


def request_lang(request: Request) -> str:
    """``?lang=`` first (the switch), then the cookie it sets, then the settings."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in ("vi", "en"):
        return chosen
    return str(request.app.state.settings.lang)


def _number(value: float | None, digits: int = 2, lang: str = "vi") -> str:
    return "—" if value is None else _format.number(value, lang, digits)


def _day(value: date | datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


def _period_words(code: str, lang: str) -> str:
    """A period in words ("6 tháng đầu năm 2025"), its code if it is not one."""
    try:
        return parse_period(code).label(lang)
    except ChitieuError:
        return code


def build_templates() -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=str(TEMPLATES))
    env = templates.env
    # The templates change with a release, which restarts the server: asking the disk
    # whether each one changed costs every page a stat per template.
    env.auto_reload = False
    env.filters["number"] = _number
    env.filters["day"] = _day
    env.filters["value_unit"] = _format.value_with_unit
    env.filters["unit"] = unit_word
    env.filters["bounds"] = _format.bounds
    env.globals["word"] = word
    env.globals["document_kind"] = document_kind
    env.globals["period_words"] = _period_words
    env.globals["amount_scale"] = _format.scale_for
    env.globals["formula_words"] = formula_words
    env.globals["cue_words"] = cue_words
    return templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    oob: Sequence[str] = (),
    status_code: int = 200,
) -> HTMLResponse:
    """A page (or, for htmx, one block of it) with what every page needs in its context.

    ``oob`` names more blocks sent after ``block`` for htmx to swap out of band:
    the counts and lists an action changed elsewhere on the page. They see
    ``oob_swap`` true, to carry their ``hx-swap-oob`` attribute.
    """
    lang = request_lang(request)
    actor = resolve_actor(request)
    full: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "actor": actor,
        "csrf": csrf_token(request),
        "public_mode": request.app.state.settings.public,
        "t": lambda vi, en: vi if lang == "vi" else en,
    }
    full.update(context or {})
    templates: Jinja2Blocks = request.app.state.templates
    if block is not None and oob:
        full["oob_swap"] = True
        response = templates.TemplateResponse(
            request, name, full, block_names=[block, *oob], status_code=status_code
        )
    else:
        response = templates.TemplateResponse(
            request, name, full, block_name=block, status_code=status_code
        )
    assert isinstance(response, HTMLResponse)
    finish(request, response)
    return response


SHARED_BLOCKS = ("title", "head", "content")
# What a kept page's forms hold in place of the reader's CSRF token, replaced as each
# reader is served: random, so that no text anyone writes into the data can be it.
CSRF_STAND_IN = "csrf-" + secrets.token_hex(16)
# Where the frame drawn for a reader takes a kept page's content.
CONTENT_SLOT = "content-" + secrets.token_hex(16)


def render_shared(
    request: Request,
    name: str,
    build: Callable[[], dict[str, Any]],
    *,
    key: Hashable,
    version: int,
    block: str | None = None,
    forms: bool = False,
) -> HTMLResponse:
    """A page that is the same for everyone who may see it, drawn once per data version.

    ``build`` gives the page's context and is called only when the page is not
    in memory; its blocks are rendered without who is asking (no actor, no
    CSRF token), so they cannot carry anyone's details to someone else. The
    frame (``base.html``) is drawn for each request. ``block`` (an htmx
    request) answers with that one block. A page with ``forms`` keeps a stand-in
    where they carry the CSRF token, and each reader gets their own; whatever else
    decides which forms are drawn (the reader's role, agency) belongs in ``key``,
    and a reader who gets none needs no ``forms`` (no megabytes searched for it).
    """
    lang = request_lang(request)
    wanted = (*SHARED_BLOCKS, block) if block and block not in SHARED_BLOCKS else SHARED_BLOCKS
    cache: PageCache = request.app.state.page_cache
    cache_key = (name, key, lang, version)

    def make() -> dict[str, str]:
        context = {**_shared_context(request, lang), **build()}
        if forms:
            context["csrf"] = CSRF_STAND_IN
        env = request.app.state.templates.env
        # Kept as Markup: wrapping a kept block for each reader copied it (a national
        # tasks board is megabytes).
        return KeptPage({b: Markup(render_block(env, name, b, **context)) for b in wanted})

    blocks = cache.get_or_make(cache_key, make, complete=wanted)
    token = csrf_token(request) if forms else ""
    if block is not None:
        response = HTMLResponse(_personal(blocks[block], token))
        finish(request, response)
        return response
    frame = {
        "title": Markup(_personal(blocks["title"], token)),
        "head": Markup(_personal(blocks["head"], token)),
        "content": Markup(CONTENT_SLOT),
    }
    response = render(request, "shared.html", {"shared": frame})
    before, slot, after = bytes(response.body).partition(CONTENT_SLOT.encode())
    if not slot:  # a frame without the content: drawn whole, the slow way
        frame["content"] = Markup(_personal(blocks["content"], token))
        return render(request, "shared.html", {"shared": frame})
    content = _personal(blocks["content"], token).encode() if forms else _utf8(blocks)
    # The frame drawn for this reader around the content encoded once for all: the
    # same bytes as drawing it whole, without joining and encoding megabytes each time.
    response.body = b"".join((before, content, after))
    response.headers["content-length"] = str(len(response.body))
    return response


class KeptPage(dict[str, str]):
    """A kept page's blocks, and its content encoded once (on first use) for all readers."""

    def __init__(self, blocks: dict[str, str]) -> None:
        super().__init__(blocks)
        self.content_utf8: bytes | None = None


def _utf8(blocks: dict[str, str]) -> bytes:
    if not isinstance(blocks, KeptPage):
        return blocks["content"].encode()
    if blocks.content_utf8 is None:  # two readers may both encode it: the same bytes
        blocks.content_utf8 = blocks["content"].encode()
    return blocks.content_utf8


def _personal(text: str, token: str) -> str:
    """A kept block with the reader's CSRF token in its forms (none asked: as kept)."""
    return text.replace(CSRF_STAND_IN, token) if token else text


def _shared_context(request: Request, lang: str) -> dict[str, Any]:
    return {
        "request": request,
        "lang": lang,
        "actor": None,
        "csrf": "",
        "public_mode": request.app.state.settings.public,
        "t": lambda vi, en: vi if lang == "vi" else en,
    }


def finish(request: Request, response: Any) -> None:
    """Write back the session cookie and the language cookie when they changed."""
    if request.scope.get("chitieu.session_changed"):
        data = request.scope.get("chitieu.session", {})
        response.set_cookie(**session_cookie(request.app.state.settings, data))
    chosen = request.query_params.get("lang")
    if chosen in ("vi", "en"):
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax")
