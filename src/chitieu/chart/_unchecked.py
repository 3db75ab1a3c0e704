"""Chart specs built without Altair checking each object as it is made."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from altair.utils.schemapi import debug_mode

P = ParamSpec("P")
R = TypeVar("R")


def unchecked(build: Callable[P, R]) -> Callable[P, R]:
    """``build`` run with Altair's debug mode off.

    In debug mode (Altair's default) every ``alt.X``, ``alt.Chart`` and layer is
    validated against the Vega-Lite schema when it is created, even though the
    spec is then written with ``to_dict(validate=False)``: for a national plan's
    report that was 40 % of the time spent building its 44 charts. The specs
    are the same either way; the tests validate every kind against the schema.
    """

    @functools.wraps(build)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with debug_mode(False):
            return build(*args, **kwargs)

    return run
