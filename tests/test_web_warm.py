"""The pages drawn as ``chitieu serve`` starts: kept as the first visitor would have drawn them."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from chitieu._database import create_engine, upgrade
from chitieu._settings import Settings
from chitieu.web._warm import warm, warm_after_start
from chitieu.web.app import create_app

FIRST_PAGES = ("/overview", "/indicators/GRDP_GROWTH")


def _join_warming() -> None:
    for thread in threading.enumerate():
        if thread.name == "chitieu-warm":
            thread.join()


def test_the_first_pages_are_drawn_as_the_server_starts_and_served_as_drawn(web):
    cache = web.app.state.page_cache
    assert len(cache) == 0
    warm_after_start(web.app)
    with TestClient(web.app):
        _join_warming()
    assert len(cache) == len(FIRST_PAGES)
    for path in FIRST_PAGES:
        page = web.clients["viewer"].get(path)
        assert page.status_code == 200, path
        assert 'data-role="viewer"' in page.text
    # Every one came from what was drawn at start.
    assert len(cache) == len(FIRST_PAGES)


def test_an_empty_database_starts_all_the_same(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(engine)
    app = create_app(Settings(database_url=str(engine.url)), engine=engine)
    warm(app)  # the headline indicator is missing: its page is left to its first request
    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 200
    engine.dispose()
