"""``chitieu serve``: the web application on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from chitieu._context import app_context


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Địa chỉ nghe (listen address).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng (port).")] = 8000,
) -> None:
    """Chạy ứng dụng web: bảng điều khiển và API (serve the dashboard and the API)."""
    import uvicorn

    from chitieu.web.app import create_app

    context = app_context(ctx)
    app = create_app(context.settings, engine=context.engine())
    typer.echo(f"chitieu: http://{host}:{port}/  (Ctrl+C để dừng)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
