"""A bound on every request body, counted as it arrives: a huge upload is refused, not stored.

FastAPI reads a form or JSON body whole before the view runs (a file into a
temporary file), so a limit checked in the view comes after the disk or the
memory has been spent. This middleware counts the bytes as the server hands
them over and stops at the limit, with or without a declared length; the app's
own error handler answers 413 (JSON for the API, the error page otherwise).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chitieu import _format
from chitieu._settings import Settings

# Room in a multipart body for its boundaries, part headers and small form fields,
# so that a file of exactly the upload limit still fits.
MULTIPART_SLACK = 64 * 1024


class BodyTooLargeError(HTTPException):
    def __init__(self, max_upload_bytes: int) -> None:
        megabytes = _format.number(max_upload_bytes / 2**20, "vi", 1)
        super().__init__(
            413,
            f"nội dung gửi lên quá lớn: giới hạn {megabytes} MB "
            f"({max_upload_bytes} byte) / request body too large",
        )


class BodyLimit:
    """Refuse a body past ``max_upload_bytes`` (plus the multipart slack) while reading it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Read per request, as every view does: a test or an operator may change it.
        settings: Settings = scope["app"].state.settings
        allowed = settings.max_upload_bytes + MULTIPART_SLACK
        declared = Headers(scope=scope).get("content-length", "")
        too_long = declared.isdigit() and int(declared) > allowed
        received = 0

        async def counted() -> Message:
            nonlocal received
            if too_long:  # refused before a byte of the body is read
                raise BodyTooLargeError(settings.max_upload_bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowed:
                    raise BodyTooLargeError(settings.max_upload_bytes)
            return message

        await self.app(scope, counted, send)
