"""A command imports what it uses: ``chitieu --help`` and a listing start without the heavy libraries.

Each case runs the real ``chitieu`` in a fresh interpreter and reads which modules it
imported; how fast that is belongs to bench/cli_startup.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer
import typer.main
from typer.testing import CliRunner

from chitieu._cli_group import ChitieuGroup
from chitieu.cli import BUILT_IN, build_app
from tests.conftest import ROOT

# Libraries of a few commands each (charts, PDF, statistics, documents, the web).
HEAVY = (
    "altair",
    "docx",
    "fastapi",
    "openpyxl",
    "pdfplumber",
    "polars",
    "statsmodels",
    "vl_convert",
    "weasyprint",
)
# And what a command that reads the database needs, but the command list does not.
DATABASE = ("alembic", "numpy", "pandas", "pydantic_settings", "sqlalchemy")

_RUN = """
import atexit, json, sys
listing, sys.argv = sys.argv[1], ["chitieu", *sys.argv[2:]]
atexit.register(lambda: open(listing, "w").write(json.dumps(sorted(sys.modules))))
from chitieu.cli import main
main()
"""


def _imported(tmp_path: Path, *args: str) -> set[str]:
    """The top-level packages ``chitieu *args`` imported."""
    listing = tmp_path / "modules.json"
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-c", _RUN, str(listing), *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {name.partition(".")[0] for name in json.loads(listing.read_text(encoding="utf-8"))}


def test_help_lists_every_command_without_importing_any_of_them(tmp_path):
    imported = _imported(tmp_path, "--help")
    assert not imported & {*HEAVY, *DATABASE}, imported & {*HEAVY, *DATABASE}
    assert not [name for name in imported if name.startswith("chitieu.") and "cli" in name]
    english = _imported(tmp_path, "--lang", "en", "--help")
    assert not english & {*HEAVY, *DATABASE}


def test_a_listing_imports_the_database_but_none_of_the_heavy_libraries(tmp_path):
    database = f"sqlite:///{tmp_path / 'c.db'}"
    assert CliRunner().invoke(build_app(), ["--db", database, "load"]).exit_code == 0
    imported = _imported(tmp_path, "--db", database, "plans", "--format", "json")
    assert "sqlalchemy" in imported  # it did read the database
    # A database already at the newest schema is opened without Alembic.
    assert not imported & {*HEAVY, "alembic", "numpy"}, imported & {*HEAVY, "alembic"}


def test_no_command_module_imports_the_heavy_libraries_before_it_runs(tmp_path):
    code = (
        "import importlib, json, sys\n"
        f"for module in {sorted({b.module for b in BUILT_IN})!r}:\n"
        "    importlib.import_module(module)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True
    )
    imported = {name.partition(".")[0] for name in json.loads(result.stdout)}
    assert not imported & set(HEAVY), imported & set(HEAVY)


def test_the_table_of_commands_is_what_the_modules_register():
    listed = {b.name: b for b in BUILT_IN}
    assert len(listed) == len(BUILT_IN)
    registered: dict[str, str] = {}
    for module in {b.module for b in BUILT_IN}:
        holder = typer.Typer()
        __import__(module, fromlist=["register"]).register(holder)
        for name, command in typer.main.get_group(holder).commands.items():
            assert listed[name].module == module, name
            registered[name] = (command.help or "").split("\n\n")[0]
    assert registered == {name: b.summary for name, b in listed.items()}


def test_a_command_is_loaded_when_it_runs_or_shows_its_help():
    group = typer.main.get_command(build_app())
    assert isinstance(group, ChitieuGroup)
    assert list(group.commands) == [b.name for b in BUILT_IN]
    runner = CliRunner()
    helped = runner.invoke(build_app(), ["targets", "--help"])
    assert helped.exit_code == 0, helped.output
    assert "--plan" in helped.stdout  # the command's own options, so its module loaded
    mistyped = runner.invoke(build_app(), ["plnas"])
    assert mistyped.exit_code == 2
    assert "Did you mean 'plans'?" in mistyped.output


def test_an_installed_plugin_still_adds_its_command(tmp_path):
    """importlib.metadata is imported only when a package names the group: one that does is found."""
    (tmp_path / "demo_plugin.py").write_text(
        "import typer\n\n\n"
        "def hello() -> None:\n"
        '    """Chào (say hello)."""\n'
        '    typer.echo("xin chào từ plugin")\n\n\n'
        "def register(app: typer.Typer) -> None:\n"
        '    app.command("hello")(hello)\n',
        encoding="utf-8",
    )
    metadata = tmp_path / "demo_plugin-0.1.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-plugin\nVersion: 0.1\n")
    (metadata / "entry_points.txt").write_text("[chitieu.cli]\nhello = demo_plugin:register\n")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(tmp_path)])}
    result = subprocess.run(
        [sys.executable, "-m", "chitieu", "hello"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "xin chào từ plugin"


def test_help_reads_no_package_metadata_when_no_plugin_is_installed(tmp_path):
    listing = tmp_path / "modules.json"
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}
    subprocess.run(
        [sys.executable, "-c", _RUN, str(listing), "--help"],
        env=environment,
        check=True,
        capture_output=True,
    )
    assert "importlib.metadata" not in json.loads(listing.read_text(encoding="utf-8"))
