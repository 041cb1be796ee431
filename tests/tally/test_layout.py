"""House rules of the tally's code (issue 14 item 2), checked on its source.

- No function in ``pbplatform/tally`` over 60 lines or of cyclomatic complexity over 10
  (radon's rank C or worse: what ``radon cc -s -n C pbplatform/tally`` lists) without a
  comment saying why, ``# why long:`` or ``# why complex:`` (``# why long and complex:``
  says both), in the comment block just above its ``def``.
- Only the command line reads the environment or switches the garbage collector.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from radon.complexity import cc_visit
from radon.visitors import Class

TALLY = Path(__file__).resolve().parents[2] / "pbplatform" / "tally"
MAX_LINES = 60
MAX_COMPLEXITY = 10


def _functions(blocks):
    for block in blocks:
        if isinstance(block, Class):
            yield from _functions(block.methods)
        else:
            yield block
            yield from _functions(block.closures)


def _said(lines: list[str], lineno: int) -> str:
    """The comment block just above line ``lineno`` (1-based), decorators skipped."""
    k = lineno - 2
    while k >= 0 and lines[k].strip().startswith("@"):
        k -= 1
    said = []
    while k >= 0 and lines[k].strip().startswith("#"):
        said.append(lines[k].strip())
        k -= 1
    return " ".join(reversed(said))


def unexplained(source: str) -> list[str]:
    """Functions over the limits whose comment does not say why."""
    lines = source.splitlines()
    found = set()
    for f in _functions(cc_visit(source)):
        said = _said(lines, f.lineno)
        long = f.endline - f.lineno + 1 > MAX_LINES
        complex_ = f.complexity > MAX_COMPLEXITY
        if long and not ("# why long:" in said or "# why long and complex:" in said):
            found.add(f"{f.fullname} (line {f.lineno}): {f.endline - f.lineno + 1} lines")
        if complex_ and not ("# why complex:" in said or "# why long and complex:" in said):
            found.add(f"{f.fullname} (line {f.lineno}): complexity {f.complexity}")
    return sorted(found)


def test_long_or_complex_functions_say_why() -> None:
    problems = [
        f"{path.relative_to(TALLY)}: {problem}"
        for path in sorted(TALLY.rglob("*.py"))
        for problem in unexplained(path.read_text())
    ]
    assert problems == [], "split these, or say why in a comment above the def"


BRANCHY = "def f(x):\n" + "".join(f"    if x == {k}:\n        return {k}\n" for k in range(11))


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        (BRANCHY, True),
        ("# why complex: one case a line\n" + BRANCHY, False),
        ("# why long: not the reason asked for\n" + BRANCHY, True),
        ("def g():\n" + "    x = 1\n" * 61, True),
        ("# why long: a table\ndef g():\n" + "    x = 1\n" * 61, False),
        ("class C:\n    def m(self):\n" + "        x = 1\n" * 61, True),
    ],
)
def test_the_rule_catches_a_planted_function(source: str, flagged: bool) -> None:
    assert bool(unexplained(source)) == flagged


def _uses(tree: ast.AST, module: str) -> bool:
    """Whether the source imports ``module`` or reads ``os.environ``/``os.getenv``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == module for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == module:
            return True
        if (
            module == "os.environ"
            and isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "getenv", "environb")
        ):
            return True
    return False


@pytest.mark.parametrize("module", ["gc", "os.environ"])
def test_only_the_command_line_reads_the_environment_or_switches_the_collector(module) -> None:
    users = [
        str(path.relative_to(TALLY))
        for path in sorted(TALLY.rglob("*.py"))
        if _uses(ast.parse(path.read_text()), module)
    ]
    assert users == ["cli.py"]
