"""The README is a short user guide whose links, images and quick-start commands are real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# The user-facing documents: none of them may speak of how the project is organised internally.
DOCS = [README, ROOT / "docs" / "study.md", ROOT / "docs" / "performance.md",
        ROOT / "docs" / "command-line.md", ROOT / "docs" / "datasets.md"]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FORBIDDEN = re.compile(r"\b(issues?|sessions?|SPEC)\b", re.IGNORECASE)


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_anchor(line.lstrip("#")) for line in path.read_text().splitlines()
            if line.startswith("#") and not line.startswith("#!")}


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)  # code is not a link
    return LINK.findall(text)


def test_readme_is_at_most_250_lines():
    assert len(README.read_text().splitlines()) <= 250


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_relative_link_and_image_resolves(path):
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    for target in _links(path):
        if re.match(r"[a-z]+://", target) or target.startswith("mailto:"):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        assert resolved.is_relative_to(ROOT), f"{target} leaves the repository"
        assert resolved.exists(), f"{path.name}: {target} does not exist"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), f"{path.name}: no heading for #{anchor}"


def test_the_quick_start_commands_are_the_scripts_that_exist():
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick, re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["./scripts/run-app.sh", "./scripts/run-tests.sh"]
    for command in commands:
        script = ROOT / command
        assert script.is_file() and script.stat().st_mode & 0o111, f"{command} is not executable"
        assert "bash scripts/setup.sh" in script.read_text(), f"{command} does not set up first"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_no_word_about_how_the_work_was_organised(path):
    found = [m.group(0) for m in FORBIDDEN.finditer(path.read_text())]
    assert not found, f"{path.name} says {found}"
