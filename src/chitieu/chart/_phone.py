"""A chart drawn again for a phone's width.

The pages inline server-rendered SVG drawn some 600-800 pixels wide. A phone
shrinks it to under half, and its 10-11 px words to 4-5 px: unreadable. So each
page chart is drawn a second time for a phone from the same Vega-Lite spec:
its plot narrower, its words larger, a long title on several lines and the
legend in two columns under the plot, at a width a 390 px screen shows at its
own size. The page's style shows one of the two.
"""

from __future__ import annotations

import copy
from typing import Any

# The plot's own width: with the value axis and the padding the SVG is about 360 px,
# what a 390 px screen leaves inside the page's margins.
PHONE_WIDTH = 280
SHORTEST = 170
# A phone shows about this many characters of the title's size on one line.
TITLE_CHARACTERS = 34
TEXT_CONFIG: dict[str, dict[str, Any]] = {
    "axis": {"labelFontSize": 12, "titleFontSize": 12},
    "legend": {
        "orient": "bottom",
        "direction": "horizontal",
        "columns": 2,
        "labelFontSize": 12,
        "titleFontSize": 12,
        "labelLimit": 150,
        "symbolSize": 80,
        # The target band's translucency would leave its key too faint to match by eye.
        "symbolOpacity": 1,
    },
    "title": {"fontSize": 15, "subtitleFontSize": 12},
}


def for_phone(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` drawn for a phone; ``spec`` itself is left as it was."""
    phone = copy.deepcopy(spec)
    _narrow(phone)
    title = phone.get("title")
    if isinstance(title, str):
        phone["title"] = _lines(title)
    elif isinstance(title, dict):
        for key in ("text", "subtitle"):
            if isinstance(title.get(key), str) and title[key]:
                title[key] = _lines(title[key])
    config = phone.setdefault("config", {})
    for part, settings in TEXT_CONFIG.items():
        config[part] = {**config.get(part, {}), **settings}
    return phone


def _narrow(view: dict[str, Any]) -> None:
    """Every view that sets its size gets a phone's; the parts of a concatenation too."""
    width = view.get("width")
    if isinstance(width, (int, float)) and width > PHONE_WIDTH:
        view["width"] = PHONE_WIDTH
        height = view.get("height")
        if isinstance(height, (int, float)):
            view["height"] = max(SHORTEST, round(height * 0.75))
    for key in ("vconcat", "hconcat", "concat"):
        for part in view.get(key, ()):
            if isinstance(part, dict):
                _narrow(part)


def _lines(text: str) -> str | list[str]:
    """``text`` cut between words into lines a phone shows whole (Vega draws a list as lines)."""
    if len(text) <= TITLE_CHARACTERS:
        return text
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > TITLE_CHARACTERS:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines
