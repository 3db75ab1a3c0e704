"""A live server on a loaded SQLite database, and Debian's chromium driven by Playwright.

The browser is the system's (``/usr/bin/chromium``); Playwright's own browsers
are never downloaded. Without chromium the browser tests fail, they do not skip.
Screenshots go to ``test-artifacts/browser/`` at the repository's root.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from chitieu import load_folder
from chitieu._database import create_engine, transaction, upgrade
from chitieu._settings import Settings
from chitieu.web import create_app
from tests.conftest import CORPUS, ROOT
from tests.webkit import PASSWORD, make_users

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
STARTUP_SECONDS = 20.0
STOP_SECONDS = 120.0


@dataclass
class LiveServer:
    """The app served by uvicorn in a thread: its address, database and API tokens."""

    url: str
    app: FastAPI
    engine: Engine
    tokens: dict[str, str]


def loaded_engine(path: Path) -> Engine:
    """A new SQLite file with the embedded dataset and the corpus texts."""
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as session:
        load_folder(session, documents=CORPUS)
    return engine


def _bound_socket() -> socket.socket:
    """A socket on a free port, bound now so that nothing else takes the port meanwhile."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yields its base URL, stops it after."""
    sock = _bound_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, thread)
        yield url
    finally:
        server.should_exit = True
        # Requests still running finish first; closing the socket under them breaks the thread.
        thread.join(timeout=STOP_SECONDS)
        if not thread.is_alive():
            sock.close()


def _wait_until_up(url: str, server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if not thread.is_alive():
            pytest.fail(f"the live server at {url} stopped while starting")
        if server.started:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.05)
    pytest.fail(f"the live server at {url} did not answer within {STARTUP_SECONDS:.0f} s")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on a loaded SQLite database with one user per role, for the whole module."""
    engine = loaded_engine(tmp_path_factory.mktemp("live") / "chitieu.db")
    tokens = make_users(engine)
    app = create_app(Settings(database_url=str(engine.url)), engine=engine)
    with serve(app) as url:
        yield LiveServer(url=url, app=app, engine=engine, tokens=tokens)
    engine.dispose()


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium, headless; a clear failure if it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install chromium); Playwright's own browsers are not used"
        )
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, its relative URLs on the live server."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def snap(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot as a test artifact: ``snap(page, "moment")``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page: Any, moment: str) -> Path:
        path = ARTIFACTS / f"{test_name}--{moment}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page: Any, username: str, password: str = PASSWORD) -> Any:
    """Log in through the form; returns the response of the page landed on."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation() as landed:
        page.click("form[action='/login'] button[type=submit]")
    return landed.value
