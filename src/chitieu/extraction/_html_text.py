"""HTML: the article of a web page, without its menus, header, footer and sidebars.

Blocks end lines and table rows are cells joined by tabs, merged cells
leaving empty ones, so that a table's columns stay in place.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from html.parser import HTMLParser

from chitieu._errors import InputError
from chitieu.extraction._plain_text import decode_text, normalised

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Elements that never hold article text.
_DROPPED_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "head", "title", "nav", "aside",
        "form", "iframe", "svg", "math", "canvas", "button", "select", "textarea",
        "input", "menu", "dialog", "object", "embed", "video", "audio", "map",
    }
)  # fmt: skip
_DROPPED_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
)
# Class or id words of page furniture; dropped only inside the chosen content.
_FURNITURE_WORDS = frozenset(
    {
        "nav", "navbar", "menu", "sidebar", "breadcrumb", "breadcrumbs", "footer",
        "share", "sharing", "social", "cookie", "cookies", "advert", "advertisement",
        "ads", "banner", "related", "comment", "comments", "widget", "popup", "modal",
        "pagination", "pager", "toolbar", "topbar", "print", "rating", "tags",
    }
)  # fmt: skip
_SECTIONING = frozenset({"article", "section", "main", "aside", "nav"})
_VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
# Which open elements a start tag closes, and where the search stops: HTML
# lets authors leave out </p>, </li>, </td> and </tr>.
_IMPLIED_CLOSE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "thead": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
    "tbody": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
    "tfoot": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
}
_P_SCOPE = frozenset(
    {"div", "td", "th", "li", "table", "body", "html", "blockquote", "section", "article"}
)
_PARAGRAPH_TAGS = frozenset({"p", "pre", "td", "blockquote"})
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(r" {2,}")
_NAME_WORD = re.compile(r"[^a-z0-9]+")


class _Node:
    """One element of the page: a small tree, since the content is chosen by its size."""

    __slots__ = ("attrs", "children", "dropped", "parent", "size", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[_Node | str] = []
        self.size = 0  # characters of text inside, furniture left out
        self.dropped = parent is not None and _is_dropped(self)


# Python's HTML parser takes some 10-20 µs a tag: a page of millions of tags
# is a parse bomb (9.5 MB of "<div>" took 23 s and 650 MB), where a long
# report page has tens of thousands.
_MAX_TAGS = 400_000
_TAG = re.compile(r"</?[A-Za-z]")
# As Chromium does, elements deeper than this are added beside the deepest
# open one instead of inside it: what walks up a branch stays short.
_MAX_DEPTH = 512


class _TooManyTagsError(Exception):
    pass


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: stray end tags are ignored, omitted ones implied."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {}, None)
        self._open = [self.root]
        # How many of each tag are open: a stray end tag is ignored without a walk.
        self._opened: dict[str, int] = {}
        self._tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(tag, attrs, void=tag in _VOID_TAGS)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(tag, attrs, void=True)

    def handle_endtag(self, tag: str) -> None:
        self._count_tag()
        if self._opened.get(tag):
            for index in range(len(self._open) - 1, 0, -1):
                if self._open[index].tag == tag:
                    self._close_from(index)
                    return
        if tag == "br":  # browsers read a stray </br> as <br>
            self._add("br", [], void=True)

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)

    def _count_tag(self) -> None:
        self._tags += 1
        if self._tags > _MAX_TAGS:
            raise _TooManyTagsError

    def _add(self, tag: str, attrs: list[tuple[str, str | None]], *, void: bool) -> None:
        self._count_tag()
        if tag in _BLOCK_TAGS:
            self._close(frozenset({"p"}), _P_SCOPE)
        if tag in _IMPLIED_CLOSE:
            self._close(*_IMPLIED_CLOSE[tag])
        node = _Node(tag, {key: value or "" for key, value in attrs}, self._open[-1])
        self._open[-1].children.append(node)
        if not void and len(self._open) < _MAX_DEPTH:
            self._open.append(node)
            self._opened[tag] = self._opened.get(tag, 0) + 1

    def _close(self, targets: frozenset[str], scope: frozenset[str]) -> None:
        if not any(self._opened.get(target) for target in targets):
            return
        for index in range(len(self._open) - 1, 0, -1):
            tag = self._open[index].tag
            if tag in targets:
                self._close_from(index)
                return
            if tag in scope:
                return

    def _close_from(self, index: int) -> None:
        for node in self._open[index:]:
            self._opened[node.tag] -= 1
        del self._open[index:]


def read_html(name: str, data: bytes) -> tuple[str, list[str]]:
    source, notes = _decode_html(name, data)
    limit = f"{_MAX_TAGS:,}".replace(",", ".")
    too_many = InputError(
        f"{name}: trang HTML có hơn {limit} thẻ, quá giới hạn "
        "(nghi là tệp phá hoại, không phải bài viết)"
    )
    # Counting tags is quick: most bombs are refused before any parsing.
    for count, _tag in enumerate(_TAG.finditer(source)):
        if count >= _MAX_TAGS:
            raise too_many
    builder = _TreeBuilder()
    try:
        builder.feed(source)
        builder.close()
    except _TooManyTagsError:
        raise too_many from None
    document = builder.root
    nodes = list(_walk(document))
    _measure(nodes)
    content, described = _content_root(nodes, document)
    lines = _render(content)
    title = _outside_title(nodes, content)
    if title:
        lines.insert(0, title)
    text = normalised("\n".join(lines), notes)
    if not text.strip():
        raise InputError(f"{name}: trang HTML không có nội dung chữ")
    notes.append(f"chỉ lấy phần nội dung chính ({described}); bỏ menu, đầu/chân trang, thanh bên")
    return text, notes


def _decode_html(name: str, data: bytes) -> tuple[str, list[str]]:
    """The page as text, in the charset it declares, else as a text file is read."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(name, data)
    declared = _META_CHARSET.search(data[:8192])
    if declared is None:
        return decode_text(name, data)
    label = declared.group(1).decode("ascii")
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        text, notes = decode_text(name, data)
        return text, [f"trang khai báo mã '{label}' không biết; bỏ qua", *notes]
    # As browsers do (WHATWG Encoding): latin-1 and ASCII mean windows-1252,
    # and a page that could declare UTF-16 in ASCII bytes is not UTF-16.
    if codec in ("latin-1", "iso8859-1", "ascii"):
        codec = "cp1252"
    elif codec.startswith(("utf-16", "utf-32")):
        codec = "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        text, notes = decode_text(name, data)
        return text, [f"trang khai báo mã '{label}' nhưng nội dung không khớp mã đó", *notes]
    notes = (
        [] if codec == "utf-8" else [f"đọc theo mã {label} khai báo trong trang, không phải UTF-8"]
    )
    return text, notes


def _children_of(node: _Node) -> Iterator[_Node]:
    return (child for child in node.children if isinstance(child, _Node))


def _walk(root: _Node) -> Iterator[_Node]:
    """Every element under root, furniture left out, in document order."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed([child for child in _children_of(node) if not child.dropped]))


def _is_dropped(node: _Node) -> bool:
    """Whether an element is page furniture wherever it stands."""
    if node.tag in _DROPPED_TAGS or "hidden" in node.attrs:
        return True
    if node.attrs.get("aria-hidden", "").lower() == "true":
        return True
    if node.attrs.get("role", "").lower() in _DROPPED_ROLES:
        return True
    style = node.attrs.get("style", "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    if node.tag in ("header", "footer"):
        # A header or footer inside an article belongs to it (its title, its
        # date); only the page's own are furniture.
        parent = node.parent
        while parent is not None:
            if parent.tag in _SECTIONING:
                return False
            parent = parent.parent
        return True
    return False


def _is_furniture(node: _Node) -> bool:
    """Whether class or id words name an element as furniture (share bar, related links)."""
    named = f"{node.attrs.get('class', '')} {node.attrs.get('id', '')}"
    return named != " " and not _FURNITURE_WORDS.isdisjoint(_NAME_WORD.split(named.lower()))


def _measure(nodes: list[_Node]) -> None:
    """Set every element's size: the characters of text inside it, furniture left out."""
    for node in reversed(nodes):  # children before parents
        size = node.size
        for child in node.children:
            if isinstance(child, str):
                size += len(child.strip())
            elif not child.dropped:
                size += child.size
        node.size = size


def _content_root(nodes: list[_Node], document: _Node) -> tuple[_Node, str]:
    """The element that holds the article: <article>, <main>, or the densest in paragraphs."""
    densest = _densest(nodes)
    articles = [node for node in nodes if node.tag == "article"]
    mains = [node for node in nodes if node.tag == "main" or node.attrs.get("role") == "main"]
    for candidates, described in ((articles, "<article>"), (mains, "<main>")):
        if not candidates:
            continue
        best = max(candidates, key=lambda node: node.size)
        # A small <article> (a related-news card) does not beat the real text.
        if densest is None or _contains(best, densest) or best.size >= densest.size // 2:
            return best, described
    if densest is not None:
        return densest, f"<{densest.tag}> có nhiều đoạn văn nhất"
    body = next((node for node in nodes if node.tag == "body"), document)
    return body, "toàn trang"


def _densest(nodes: list[_Node]) -> _Node | None:
    """The element whose paragraphs hold the most text (half counts for a grandparent)."""
    scores: dict[int, float] = {}
    by_id: dict[int, _Node] = {}
    for node in nodes:
        if node.tag in _PARAGRAPH_TAGS and node.parent is not None:
            by_id[id(node.parent)] = node.parent
            scores[id(node.parent)] = scores.get(id(node.parent), 0.0) + node.size
            grandparent = node.parent.parent
            if grandparent is not None:
                by_id[id(grandparent)] = grandparent
                scores[id(grandparent)] = scores.get(id(grandparent), 0.0) + node.size / 2
        if node.tag in _PARAGRAPH_TAGS:
            continue
        # Text written straight into a <div> between <br> counts for that div.
        loose = sum(len(child.strip()) for child in node.children if isinstance(child, str))
        if loose > 25:
            by_id[id(node)] = node
            scores[id(node)] = scores.get(id(node), 0.0) + loose
    if not scores:
        return None
    return by_id[max(scores, key=lambda key: scores[key])]


def _contains(ancestor: _Node, node: _Node) -> bool:
    current: _Node | None = node
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False


def _outside_title(nodes: list[_Node], content: _Node) -> str | None:
    """The page's only <h1> when it stands outside the content: the article's title."""
    headings = [node for node in nodes if node.tag == "h1"]
    if len(headings) != 1 or _contains(content, headings[0]):
        return None
    if any(_contains(heading, content) for heading in headings):
        return None
    lines = _render(headings[0])
    return " ".join(lines) if lines else None


class _Lines:
    """Rendered lines: blocks end lines, table cells are joined by tabs."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._parts: list[str] = []

    def add(self, text: str) -> None:
        self._parts.append(text)

    def end(self) -> None:
        line = "".join(self._parts)
        self._parts.clear()
        cells = [_SPACES.sub(" ", cell).strip(" ") for cell in line.split("\t")]
        if any(cells):
            self.lines.append("\t".join(cells))


class _Spans:
    """Where a table's merged cells reach: empty cells keep every row's columns in place.

    A heading over two columns (colspan) is followed by an empty cell, and a cell
    reaching down two rows (rowspan) leaves an empty cell in the row below, as
    the DOCX reader writes Word's merged cells.
    """

    def __init__(self) -> None:
        self.column = 0
        self.cells = 0
        self.after = 0  # empty cells owed once the open cell closes (its colspan)
        self.below: dict[int, int] = {}  # column → rows still covered from above

    def open_cell(self, node: _Node, out: _Lines) -> None:
        self._covered(out)
        if self.cells:
            out.add("\t")
        self.cells += 1
        across = _span(node, "colspan", 64)
        down = _span(node, "rowspan", 500)
        if down > 1:
            for column in range(self.column, self.column + across):
                self.below[column] = down
        self.column += across
        self.after = across - 1

    def close_cell(self, out: _Lines) -> None:
        out.add("\t" * self.after)
        self.cells += self.after
        self.after = 0

    def end_row(self, out: _Lines) -> None:
        if self.cells:
            self._covered(out)
        self.below = {column: left - 1 for column, left in self.below.items() if left > 1}
        self.column = self.cells = self.after = 0

    def _covered(self, out: _Lines) -> None:
        while self.below.get(self.column, 0) > 0:
            if self.cells:
                out.add("\t")
            self.cells += 1
            self.column += 1


def _span(node: _Node, name: str, most: int) -> int:
    written = node.attrs.get(name, "1").strip()
    return min(max(int(written), 1), most) if written.isdigit() else 1


def _render(root: _Node) -> list[str]:
    out = _Lines()
    cell_depth = 0  # inside a table cell, blocks and nested tables are spaces
    spans = _Spans()
    pre_depth = 0
    # (node, True) opens an element, (node, False) closes it, a str is text.
    stack: list[tuple[_Node, bool] | str] = [(root, True)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if pre_depth and not cell_depth:
                for index, piece in enumerate(item.split("\n")):
                    if index:
                        out.end()
                    out.add(_WHITESPACE.sub(" ", piece))
            else:
                out.add(_WHITESPACE.sub(" ", item))
            continue
        node, opening = item
        tag = node.tag
        if opening:
            if node is not root and (
                node.dropped or (_is_furniture(node) and node.size < root.size // 2)
            ):
                continue
            stack.append((node, False))
            stack.extend(
                reversed(
                    [child if isinstance(child, str) else (child, True) for child in node.children]
                )
            )
        if tag in ("td", "th"):
            if opening:
                if cell_depth == 0:
                    spans.open_cell(node, out)
                cell_depth += 1
            else:
                cell_depth -= 1
                out.add(" ")
                if cell_depth == 0:
                    spans.close_cell(out)
        elif tag == "tr" and not cell_depth:
            if not opening:
                spans.end_row(out)
            out.end()
        elif tag == "table" and not cell_depth and opening:
            spans = _Spans()
        elif tag == "pre":
            pre_depth += 1 if opening else -1
        if tag == "br" or (tag in _BLOCK_TAGS and tag != "tr"):
            if cell_depth:
                out.add(" ")
            else:
                out.end()
    out.end()
    return out.lines
