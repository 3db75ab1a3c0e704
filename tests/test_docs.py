"""Keeps the documentation honest: its commands exist, its snippet runs, CI runs its test command."""

import re
import subprocess
import sys

import typer.main

from chitieu.cli import build_app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_ci_runs_exactly_the_readme_test_command():
    shell = _code_blocks("sh")
    test_command = next(block.strip() for block in shell if "pytest" in block)
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci_lines[-1] == test_command


def test_every_command_the_docs_mention_exists():
    registered = set(typer.main.get_command(build_app()).commands)  # type: ignore[attr-defined]
    documents = [README, *(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))]
    mentioned = {m for text in documents for m in re.findall(r"chitieu ([a-z][a-z-]+)", text)}
    assert mentioned, "the docs show no command at all"
    assert mentioned <= registered, mentioned - registered


def test_the_readme_library_example_runs(tmp_path):
    (snippet,) = _code_blocks("python")
    result = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Tốc độ tăng trưởng GRDP 2019/2025 12.0 13.0" in result.stdout


def test_the_public_api_is_what_it_says():
    import chitieu

    assert all(hasattr(chitieu, name) for name in chitieu.__all__)
    assert not [name for name in chitieu.__all__ if name.startswith("_")]
