"""What every command shares: the global options anywhere on the line, the pager, English help.

A built-in command's module is imported when that command runs or shows its own
help: until then the group holds a stand-in that knows only its name and summary,
enough for ``chitieu --help`` and for suggesting a mistyped name.

``--db``, ``--lang``, ``--wide`` and ``--limit`` belong to ``chitieu`` itself, but
people type them after the command (``chitieu overview --limit 20``) as often as
before: they are moved in front before Click parses the line. A listing printed
as a table to a terminal longer than the screen goes through a pager.
"""

from __future__ import annotations

import functools
import importlib
import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from shutil import get_terminal_size
from typing import Any, ClassVar, NamedTuple

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from chitieu._output import current_display

# The global options, and whether each takes a value.
GLOBAL_OPTIONS = {"--db": True, "--lang": True, "--limit": True, "--wide": False}

EPILOG_VI = "Tùy chọn chung, đặt trước hay sau tên lệnh đều được: --db, --lang, --wide, --limit."
EPILOG_EN = "Options for every command, before or after its name: --db, --lang, --wide, --limit."


class BuiltIn(NamedTuple):
    """A command of ``chitieu`` itself: its name, its module, the summary the listing shows."""

    name: str
    module: str
    summary: str


class _StandIn(TyperCommand):
    """A command not imported yet, listed under its name and summary."""

    def __init__(self, built_in: BuiltIn) -> None:
        super().__init__(name=built_in.name, help=built_in.summary)
        self.module = built_in.module


class ChitieuGroup(TyperGroup):
    """The root ``chitieu`` group, with the ``built_in`` commands loaded on first use."""

    built_in: ClassVar[tuple[BuiltIn, ...]] = ()

    def __init__(self, **attrs: Any) -> None:
        # The built-in commands first, as ``--help`` lists them, then any plugin's.
        stand_ins = {b.name: _StandIn(b) for b in self.built_in}
        attrs["commands"] = {**stand_ins, **(attrs.get("commands") or {})}
        super().__init__(**attrs)
        self._english = False
        _BILINGUAL[id(self)] = (self.help or "", self.short_help)
        self._adopt(list(self.commands.values()))

    def load(self, name: str) -> None:
        """Import the module of the command ``name`` if it is still a stand-in."""
        stand_in = self.commands.get(name)
        if not isinstance(stand_in, _StandIn):
            return
        holder = typer.Typer()
        importlib.import_module(stand_in.module).register(holder)
        loaded = typer.main.get_group(holder).commands
        self.commands.update(loaded)
        self._adopt(list(loaded.values()))

    def _adopt(self, commands: list[Any]) -> None:
        for command in [c for top in commands for c in _tree(top)]:
            if command.callback is not None:  # a group of sub-commands may have none
                command.callback = _paged(command)
            _BILINGUAL[id(command)] = (command.help or "", command.short_help)
            command.epilog = EPILOG_VI
            if self._english:
                _english_help(command)

    def resolve_command(  # type: ignore[override]
        self, ctx: typer.Context, args: list[str]
    ) -> tuple[str | None, Any, list[str]]:
        if args:
            self.load(args[0])
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        args = hoist(self, args)
        if _asks_english(args):
            self._english = True
            for command in [self, *_leaves(self)]:
                _english_help(command)
        return super().parse_args(ctx, args)


def hoist(group: TyperGroup, args: list[str]) -> list[str]:
    """``args`` with the global options moved before the command name.

    A command with an option of the same name keeps its own (``report --lang`` is
    the report's language), and nothing after ``--`` moves.
    """
    own = {opt for param in _leaf(group, args).params for opt in param.opts}
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name, equals, _ = arg.partition("=")
        if name in GLOBAL_OPTIONS and name not in own:
            takes = GLOBAL_OPTIONS[name] and not equals and index + 1 < len(args)
            front.extend(args[index : index + 1 + takes])
            index += 1 + takes
            continue
        rest.append(arg)
        index += 1
    return front + rest


def _leaf(group: TyperGroup, args: list[str]) -> Any:
    """The command ``args`` name, following sub-groups (``plans compare``)."""
    current: Any = group
    for arg in args:
        if isinstance(current, ChitieuGroup):
            current.load(arg)
        commands = getattr(current, "commands", None)
        if commands and arg in commands:
            current = commands[arg]
    return current


def _leaves(group: TyperGroup) -> Iterator[Any]:
    for command in group.commands.values():
        yield from _tree(command)


def _tree(command: Any) -> Iterator[Any]:
    """``command`` and, for a group, every command under it."""
    yield command
    if isinstance(command, TyperGroup):
        yield from _leaves(command)


# ---- the pager -------------------------------------------------------------


def _paged(command: Any) -> Callable[..., Any]:
    """The command's callback, printing through a pager when it lists a table to a terminal."""
    callback = command.callback
    formats = [p.name for p in command.params if "--format" in p.opts]

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        table = bool(formats) and all(str(kwargs.get(f)) == "table" for f in formats)
        try:
            if not (table and interactive()):
                return callback(*args, **kwargs)
            buffer = io.StringIO()
            try:
                with _captured(buffer):
                    return callback(*args, **kwargs)
            finally:
                show(buffer.getvalue())
        finally:
            _say_hidden()

    return run


def interactive() -> bool:
    """A person at a terminal reads the output, not a program or a file."""
    return sys.stdout.isatty() and sys.stdin.isatty()


@contextmanager
def _captured(buffer: io.StringIO) -> Iterator[None]:
    """Standard output gathered in ``buffer``, still drawn for this terminal's width and colours."""
    size = get_terminal_size()
    saved = {key: os.environ.get(key) for key in ("COLUMNS", "FORCE_COLOR")}
    os.environ["COLUMNS"] = str(size.columns)
    os.environ["FORCE_COLOR"] = "1"
    try:
        with redirect_stdout(buffer):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def show(text: str, *, lines: int | None = None) -> None:
    """``text`` as it is when it fits the screen, else through $PAGER (``less``)."""
    height = lines if lines is not None else get_terminal_size().lines
    if text.count("\n") < height - 1:
        sys.stdout.write(text)
        return
    # less: -R keeps the colours, -F quits at once on a short text, -X leaves it on screen.
    environment = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
    pager = shlex.split(os.environ.get("PAGER") or "less")
    try:
        subprocess.run(pager, input=text, text=True, env=environment, check=False)
    except OSError:
        sys.stdout.write(text)


def _say_hidden() -> None:
    display = current_display()
    if display.hidden:
        english = display.lang == "en"
        typer.echo(
            f"… {display.hidden} more not shown (--limit)"
            if english
            else f"… còn {display.hidden} dòng không hiện (--limit)",
            err=True,
        )


# ---- help in English -----------------------------------------------------------

# The original (Vietnamese, with an English gloss) help of each command, by id.
_BILINGUAL: dict[int, tuple[str, str | None]] = {}
_GLOSS = re.compile(r"\(([^()]*)\)\.?\s*$")


def _asks_english(args: list[str]) -> bool:
    for index, arg in enumerate(args):
        if arg == "--lang=en" or (arg == "--lang" and args[index + 1 : index + 2] == ["en"]):
            return True
    return os.environ.get("CHITIEU_LANG") == "en" and "--lang" not in args


def _english_help(command: Any) -> None:
    """The command's summary as its English gloss: 'Liệt kê … (list plans).' → 'List plans.'"""
    text, _ = _BILINGUAL.get(id(command), (command.help or "", None))
    first, _, more = text.partition("\n")
    found = _GLOSS.search(first)
    if found:
        gloss = found.group(1).strip()
        command.help = gloss[:1].upper() + gloss[1:] + "." + (f"\n{more}" if more else "")
        command.short_help = None
    command.epilog = EPILOG_EN
