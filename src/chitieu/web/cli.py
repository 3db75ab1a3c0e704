"""``chitieu serve``: the web application on uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from chitieu._context import app_context
from chitieu._settings import Settings


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Địa chỉ nghe (listen address).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng (port).")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Số tiến trình phục vụ (worker processes).")
    ] = 1,
) -> None:
    """Chạy ứng dụng web: bảng điều khiển và API (serve the dashboard and the API)."""
    import uvicorn

    from chitieu.web._serving import check_settings, serving_settings, uvicorn_options
    from chitieu.web._warm import warm_after_start
    from chitieu.web.app import create_app

    context = app_context(ctx)
    check_settings(context.settings)
    settings, warnings = serving_settings(context.settings, host=host)
    for warning in warnings:
        typer.secho(warning, fg="red", bold=True, err=True)
    engine = context.engine()
    typer.echo(f"chitieu: http://{host}:{port}/  (Ctrl+C để dừng)")
    proxies = uvicorn_options(settings)
    if workers == 1:
        app = create_app(settings, engine=engine)
        warm_after_start(app)
        uvicorn.run(app, host=host, port=port, log_level="warning", **proxies)
        return
    engine.dispose()
    # Each worker process builds its own app from these settings, passed through the
    # environment it inherits (their names are the settings' own, CHITIEU_…): a random
    # key made above is the same in every worker.
    os.environ.update(settings_environment(settings))
    uvicorn.run(
        "chitieu.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        **proxies,
    )


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as the environment variables that give them back."""
    values = settings.model_dump()
    return {
        f"CHITIEU_{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in values.items()
    }
