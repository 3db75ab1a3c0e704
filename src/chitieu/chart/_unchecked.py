"""Chart specs built without Altair checking each object as it is made, or copying rows."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, Self, TypeVar

import altair as alt
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


class SharedData(alt.Data):
    """A layer's inline rows, which Altair's copies of a chart share instead of copying.

    Layering copies every layer deeply, rows and all, several times over: for a
    national plan's report that was most of the time spent building its 44 charts.
    The rows are made for one chart and never changed, so the copies may share
    them; the spec is the same.
    """

    def __deepcopy__(self, memo: Any) -> Self:
        return self


class SharedInlineData(alt.InlineData):
    """Inline rows moved to the spec's ``datasets``, shared by copies as ``SharedData`` is."""

    def __deepcopy__(self, memo: Any) -> Self:
        return self


class SharedChart(alt.Chart):
    """A layer that the copies of its layered chart share instead of copying.

    Each copy of a layered chart (setting its title, its font, writing it out) makes
    it anew, and that copies every layer deeply with each of its encodings' dozens
    of settings. Our layers carry no parameters and no size of their own, the only
    things Altair changes in a layer it has copied, so they may be shared.
    """

    def __deepcopy__(self, memo: Any) -> Self:
        return self


def with_properties(chart: Any, **properties: Any) -> Any:
    """``chart.properties(...)`` without checking each value against the Vega-Lite schema.

    Altair checks them even with its debug mode off (a title took a few milliseconds
    per chart); the values here are our own, and the tests validate every kind of spec.
    """
    copy = chart.copy(deep=False)
    for key, value in properties.items():
        setattr(copy, key, value)
    return copy
