"""Pages drawn once when ``chitieu serve`` starts, in the background.

The first request after a start used to pay for everything a fresh process
does once (reading the chart libraries, compiling the templates, the first
queries: 2,6 s for an indicator's page on the embedded data) on top of the
page itself. The pages everyone opens first are drawn into the page cache by a
thread as the server starts listening, so nobody waits for them and start-up
is not delayed. They are drawn in the server's language, as anyone may see
them: each view is called as the request would call it, with nobody signed
in. A page that cannot be drawn (an empty database) is left to its first
request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request

from chitieu._database import transaction

log = logging.getLogger("chitieu.web")
# The indicator the overview leads with and planners open first.
HEADLINE_INDICATOR = "GRDP_GROWTH"


def warm_after_start(app: FastAPI) -> None:
    """Start drawing the first pages in a thread once the server has started."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(started: Any) -> AsyncIterator[Any]:
        async with inner(started) as state:
            threading.Thread(target=warm, args=(app,), name="chitieu-warm", daemon=True).start()
            yield state

    app.router.lifespan_context = lifespan


def warm(app: FastAPI) -> None:
    """Draw the overview and the headline indicator's page into the cache.

    Not the scenario page: on the national data it simulates every plan's 8,570
    targets (minutes of CPU), too much to spend while the first people arrive.
    """
    # Imported here: the views import the whole app, which imports this module.
    from chitieu.indicator.views import indicator_detail_page
    from chitieu.plan.views import overview_page

    lang = str(app.state.settings.lang)
    pages: list[tuple[str, Callable[..., Any], dict[str, Any]]] = [
        ("/overview", overview_page, {"plan": "", "region": "", "as_of": ""}),
        (f"/indicators/{HEADLINE_INDICATOR}", indicator_detail_page, {"code": HEADLINE_INDICATOR}),
    ]
    for path, view, arguments in pages:
        try:
            with transaction(app.state.engine, writes=False) as session:
                view(_request(app, path), session, lang, None, **arguments)
        except Exception as exc:  # its first request will say what is wrong
            log.info("could not draw %s at start: %s", path, exc)


def _request(app: FastAPI, path: str) -> Request:
    """A GET of ``path`` by nobody signed in, as the views read it."""
    return Request(
        {
            "type": "http",
            "app": app,
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "scheme": "http",
            "query_string": b"",
            "headers": [],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
        }
    )
