"""The continuity page: what the ceased plan promised beside what its successor promises."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from chitieu._labels import tr
from chitieu._version import current_version
from chitieu.document.service import cited_by_name
from chitieu.plan.continuity import compare_plans, default_ceased
from chitieu.plan.service import get_plan, list_plans, plan_status_word
from chitieu.plan.views import LINE, Code, parse_day
from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web._templates import render_shared
from chitieu.web.deps import DbSession, Lang

pages = APIRouter(include_in_schema=False)
Viewer = Annotated[Actor, Depends(requires("view"))]


def register(app: FastAPI) -> None:
    app.include_router(pages)


@pages.get("/plans/compare")
def compare_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Viewer,
    ceased: Annotated[str, Query(alias="from", max_length=64, pattern=LINE)] = "",
    successor: Annotated[str, Query(alias="to", max_length=64, pattern=LINE)] = "",
    as_of: Annotated[str, Query(max_length=10, pattern=LINE)] = "",
) -> HTMLResponse:
    day = parse_day(as_of)

    def build() -> dict[str, Any]:
        old = get_plan(session, code_or_number=ceased) if ceased else default_ceased(session)
        new = get_plan(session, code_or_number=successor) if successor else None
        result = compare_plans(session, ceased=old, successor=new, as_of=day)
        return {
            "result": result,
            "records": [row.record(lang) for row in result.rows],
            "plans": list_plans(session),
            "chosen_to": successor,
            "plan_status_word": plan_status_word,
            # A footnote in the page's language, its source keys replaced by their names.
            "footnotes": {
                target.footnote: cited_by_name(
                    session, tr(lang, target.footnote, target.footnote_en or target.footnote)
                )
                for row in result.rows
                for target in row.successor
                if target.footnote
            },
        }

    return render_shared(
        request,
        "plan/compare.html",
        build,
        key=(ceased, successor, day),
        version=current_version(session),
    )


__all__ = ["Code", "register"]
