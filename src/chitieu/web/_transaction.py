"""The request's transaction: one per request, shared by who is asking and the view.

A page used to open two: one to find who is asking, one for the view (the data
version, the page's rows). Now a page (GET) asks both in one, so they read one
snapshot, and the view's work costs one begin and one commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from chitieu._database import transaction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def request_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the view returns, rolled back if it raises.

    Ended before the response is sent (scope "function"): a commit that fails is the
    request's error (503, 409…), never a success already sent or a reset connection.
    A page (GET) only reads: on SQLite it never queues behind writers, while a POST
    waits for the write lock before it reads what it will change.

    Opening touches no database (the connection is taken at the first query), so it
    happens on the event loop; only the end (commit or rollback) goes to a thread, as
    FastAPI ends a plain generator's: shielded from cancellation (a client that went
    away must not leave the transaction open) and outside the thread pool's limit (a
    pool full of requests waiting for this transaction's lock would never free one).
    """
    writes = request.method not in SAFE_METHODS
    opened = transaction(request.app.state.engine, writes=writes)
    session = opened.__enter__()
    outside_the_pool = CapacityLimiter(1)
    try:
        yield session
    except BaseException as exc:
        with CancelScope(shield=True):
            # The context manager's own translation (busy, disk full) answers as before.
            kept = await anyio.to_thread.run_sync(
                opened.__exit__, type(exc), exc, exc.__traceback__, limiter=outside_the_pool
            )
        if not kept:
            raise
    else:
        with CancelScope(shield=True):
            await anyio.to_thread.run_sync(
                opened.__exit__, None, None, None, limiter=outside_the_pool
            )


# One declaration for the views (``deps.DbSession``) and for who is asking: FastAPI
# solves a dependency once per request, so both get the same session.
RequestSession = Annotated[Session, Depends(request_session, scope="function")]
