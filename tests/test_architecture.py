"""House rules that run: the package layout the developers' brief asks for, checked on the AST.

Each rule is a checker function over one module's source; the tests run it over the package
and, to show the test can fail, over a planted violation. No imports of the checked code.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pbplatform"

# Deliberate exceptions, each with its reason. The tests fail when one no longer exists, so
# these lists only shrink.
COMMITS_ALLOWED = {
    # a refused attempt is logged after rolling the request back, and must survive it
    "pbplatform/audit/services.py:record_refusal",
}
VIEW_IMPORTS_ALLOWED = {
    # one rule for hidden proposals; should move to proposals/queries.py
    "pbplatform/coproduction/views/residents.py:pbplatform.proposals.views",
}
# Functions in views that read the database directly today (34 calls in 26 functions);
# issue 14 item 4 moves them to queries.py.
VIEW_QUERIES_BASELINE: set[str] = set()  # every view reads through its queries.py

# Comparisons against a vocabulary value spelled as a string, each with its reason. The
# pure count library has its own (Pabulib) vocabulary and may not import the app's enums.
LITERAL_COMPARISONS_ALLOWED_UNDER = ("pbplatform/tally/",)

TALLY_FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "jinja2", "wtforms")
DB_READS = {"execute", "scalar", "scalars", "get"}


def _modules(pattern: str = "**/*.py") -> list[Path]:
    return sorted(p for p in PACKAGE.glob(pattern) if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imported(tree: ast.AST, package: str) -> list[str]:
    """Absolute names of every module imported; ``package`` resolves relative imports."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.append(base)
            names += [f"{base}.{a.name}" for a in node.names]
    return names


def tally_import_violations(source: str, package: str = "pbplatform.tally") -> list[str]:
    """(a) the count is a pure library: no web framework, no database, no other feature."""
    found = []
    for name in _imported(ast.parse(source), package):
        top = name.split(".")[0]
        web = top in TALLY_FORBIDDEN or top.startswith("flask_")
        ours = (
            top == "pbplatform" and name != "pbplatform" and not name.startswith("pbplatform.tally")
        )
        if web or ours:
            found.append(name)
    return found


def _functions(tree: ast.AST):
    """(qualified-ish name, node) of every function, outermost first."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node


def service_commits(source: str) -> set[str]:
    """(b) services flush and never commit: names of functions that call ``.commit(``."""
    tree = ast.parse(source)
    found = {
        fname
        for fname, fn in _functions(tree)
        for node in ast.walk(fn)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    }
    module_level = [
        n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    if any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "commit"
        for top in module_level
        for n in ast.walk(top)
        if not isinstance(top, ast.ClassDef)
    ):
        found.add("<module>")
    return found


def foreign_view_imports(source: str, package: str) -> list[str]:
    """(c) a feature never imports another feature's views."""
    feature = package.split(".")[1] if package.count(".") >= 1 else ""
    found = []
    for name in _imported(ast.parse(source), package):
        parts = name.split(".")
        views = len(parts) >= 3 and parts[0] == "pbplatform" and parts[2] == "views"
        if views and parts[1] != feature and ".".join(parts[:3]) not in found:
            found.append(".".join(parts[:3]))
    return found


def view_queries(source: str) -> set[str]:
    """(d) views ask queries.py: functions that read the database themselves."""
    tree = ast.parse(source)
    found = set()
    for fname, fn in _functions(tree):
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            session_read = (
                isinstance(f, ast.Attribute)
                and f.attr in DB_READS
                and isinstance(f.value, ast.Attribute)
                and f.value.attr == "session"
            )
            if session_read or (isinstance(f, ast.Name) and f.id == "select"):
                found.add(fname)
    return found


def vocabulary_values(source: str) -> set[str]:
    """The values of the `enum.StrEnum` classes a module defines (the one vocabulary)."""
    values = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = {
            b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases
        }
        if "StrEnum" not in bases:
            continue
        for item in node.body:
            if (
                isinstance(item, ast.Assign)
                and len(item.targets) == 1
                and isinstance(item.targets[0], ast.Name)
                and not item.targets[0].id.startswith("_")
                and isinstance(item.value, ast.Constant)
                and isinstance(item.value.value, str)
            ):
                values.add(item.value.value)
    return values


def _spelled_values(node: ast.AST, vocabulary: set[str]) -> list[str]:
    """The vocabulary values a comparison operand spells out: a string literal that is one, or
    a tuple, list or set of string literals that all are."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value in vocabulary else []
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts:
        texts = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(texts) == len(node.elts) and all(
            isinstance(t, str) and t in vocabulary for t in texts
        ):
            return [str(t) for t in texts]
    return []


def literal_comparisons(source: str, vocabulary: set[str]) -> list[str]:
    """(e) one vocabulary: `line: code` of every ==, !=, in, not in (and SQLAlchemy `.in_`,
    `.not_in`) that compares with a phase, status, channel ... spelled as a string instead of
    the enum member."""
    found = []
    for node in ast.walk(ast.parse(source)):
        operands: list[ast.AST] = []
        if isinstance(node, ast.Compare):
            kinds = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)
            if any(isinstance(op, kinds) for op in node.ops):
                operands = [node.left, *node.comparators]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("in_", "not_in", "notin_")
        ):
            operands = list(node.args)
        if any(_spelled_values(o, vocabulary) for o in operands):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def _package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1]) if parts[-1] != "__init__" else ".".join(parts[:-1])


def _is_service(path: Path) -> bool:
    return path.name == "services.py" or "services" in path.relative_to(PACKAGE).parts[:-1]


def _is_view(path: Path) -> bool:
    return path.name == "views.py" or "views" in path.relative_to(PACKAGE).parts[:-1]


# -- the rules over the package ----------------------------------------------------------


def test_tally_imports_no_web_database_or_feature():
    found = {
        _rel(p): bad
        for p in _modules("tally/**/*.py")
        if (bad := tally_import_violations(p.read_text(), _package_of(p)))
    }
    assert found == {}


def test_services_never_commit():
    found = {
        f"{_rel(p)}:{fn}"
        for p in _modules()
        if _is_service(p)
        for fn in service_commits(p.read_text())
    }
    assert found - COMMITS_ALLOWED == set(), "services flush; the request or command commits"
    assert COMMITS_ALLOWED - found == set(), "an allowed commit is gone: shrink the list"


def test_features_do_not_import_each_others_views():
    found = {
        f"{_rel(p)}:{name}"
        for p in _modules()
        if p.parent != PACKAGE  # the app factory registers every blueprint
        for name in foreign_view_imports(p.read_text(), _package_of(p))
    }
    assert found - VIEW_IMPORTS_ALLOWED == set()
    assert VIEW_IMPORTS_ALLOWED - found == set(), "an allowed import is gone: shrink the list"


def test_views_add_no_direct_database_reads():
    found = {
        f"{_rel(p)}:{fn}" for p in _modules() if _is_view(p) for fn in view_queries(p.read_text())
    }
    assert found - VIEW_QUERIES_BASELINE == set(), "put new reads in the feature's queries.py"
    assert VIEW_QUERIES_BASELINE - found == set(), "a read moved out: remove it from the baseline"


def test_no_comparison_spells_a_vocabulary_value():
    vocabulary = set().union(*(vocabulary_values(p.read_text()) for p in _modules()))
    assert {"voting", "approved", "paper", "accepted"} <= vocabulary  # the enums were found
    found = {
        f"{_rel(p)}:{hit}"
        for p in _modules()
        if not _rel(p).startswith(LITERAL_COMPARISONS_ALLOWED_UNDER)
        for hit in literal_comparisons(p.read_text(), vocabulary)
    }
    assert found == set(), "compare with the enum member (Phase.VOTING), not its string"


# -- each checker sees a planted violation (so the tests above can fail) -------------------


@pytest.mark.parametrize(
    "source",
    [
        "import flask\n",
        "from flask_login import current_user\n",
        "from sqlalchemy import select\n",
        "from pbplatform.extensions import db\n",
        "from ...cycles.models import Cycle\n",  # from pbplatform.tally.rules
        "def f():\n    import sqlalchemy.orm\n",
    ],
)
def test_tally_checker_catches_planted_import(source):
    assert tally_import_violations(source, "pbplatform.tally.rules")


def test_tally_checker_allows_the_library_itself():
    source = "import math\nfrom fractions import Fraction\nfrom .model import Election\n"
    assert tally_import_violations(source, "pbplatform.tally.reference") == []


def test_commit_checker_catches_planted_commit():
    source = "from pbplatform.extensions import db\n\ndef save(x):\n    db.session.commit()\n"
    assert service_commits(source) == {"save"}
    assert service_commits("def save(x):\n    db.session.flush()\n") == set()


def test_view_import_checker_catches_planted_import():
    source = "from pbplatform.cycles.views import cycle_or_404\n"
    assert foreign_view_imports(source, "pbplatform.voting.views") == ["pbplatform.cycles.views"]
    relative = "from ...cycles import views\n"
    assert foreign_view_imports(relative, "pbplatform.voting.views") == ["pbplatform.cycles.views"]
    own = "from pbplatform.voting.views import bp\n"
    assert foreign_view_imports(own, "pbplatform.voting.views") == []


@pytest.mark.parametrize(
    "body",
    [
        "db.session.execute(q)",
        "db.session.scalar(q)",
        "db.session.scalars(q)",
        "db.session.get(Cycle, 1)",
        "select(Cycle)",
    ],
)
def test_view_query_checker_catches_planted_read(body):
    assert view_queries(f"def page():\n    return {body}\n") == {"page"}


def test_view_query_checker_ignores_query_functions():
    assert view_queries("def page():\n    return queries.cycle_by_slug(slug)\n") == set()


def template_globals(source: str) -> list[str]:
    """Functions a blueprint registers as template globals: a template calling one would read
    data the view did not pass (and could query the database while rendering)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr == "app_template_global":
                    found.append(node.name)
    return found


def test_templates_get_their_data_from_views():
    found = {f"{_rel(p)}:{fn}" for p in _modules() for fn in template_globals(p.read_text())}
    assert found == set(), "pass the data from the view instead of a template global"


def test_template_global_checker_sees_a_planted_one():
    planted = "@bp.app_template_global('panel')\ndef panel(p):\n    return {}\n"
    assert template_globals(planted) == ["panel"]


# -- complexity: a block ranked C or worse says why it must be so ------------------------

# The tally's blocks say "# why complex:" (or "# why long:", tests/tally/test_layout.py).
COMPLEXITY_REASONS = ("# Complexity:", "# why complex", "# why long")
RANK_C = 11  # radon's rank C starts at a cyclomatic complexity of 11


def unexplained_complex_blocks(source: str) -> list[str]:
    """Functions and methods of complexity >= 11 without a `# Complexity: why` comment in the
    lines just above them (above their decorators)."""
    from radon.complexity import cc_visit

    lines = source.splitlines()
    starts = {  # a function's `def` line -> its first line (its first decorator)
        node.lineno: min([node.lineno, *(d.lineno for d in node.decorator_list)])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    found = []
    for item in cc_visit(source):  # functions and methods, and classes (which sum them)
        if hasattr(item, "methods") or item.complexity < RANK_C:
            continue
        i = starts[item.lineno] - 2  # the line above the first decorator or `def`
        above = []
        while i >= 0 and lines[i].lstrip().startswith("#"):
            above.append(lines[i].strip())
            i -= 1
        if not any(line.startswith(COMPLEXITY_REASONS) for line in above):
            found.append(f"{item.name}:{item.lineno}")
    return found


def test_complex_blocks_say_why():
    found = {
        f"{_rel(p)}:{name}"
        for p in _modules()
        for name in unexplained_complex_blocks(p.read_text())
    }
    assert found == set(), "simplify the block, or say above it why it must be so complex"


def test_complexity_checker_sees_an_unexplained_block():
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    bare = f"def f(x):\n{branches}    return -1\n"
    assert unexplained_complex_blocks(bare) == ["f:1"]
    explained = f"# Complexity: one branch per case.\n@decorator\n{bare}"
    assert unexplained_complex_blocks(explained) == []


def test_complexity_checker_reads_methods():
    branches = "".join(f"        if x == {i}:\n            return {i}\n" for i in range(12))
    source = (
        f"class A:\n    def small(self):\n        return 1\n\n    def big(self, x):\n{branches}"
    )
    assert unexplained_complex_blocks(source) == ["big:5"]


PLANTED_ENUM = """
import enum
class Phase(enum.StrEnum):
    VOTING = "voting"
    COUNTING = "counting"
    _ignore_ = "not_a_member"
class Colour(str):
    RED = "red"
"""


def test_vocabulary_is_read_from_strenum_classes():
    assert vocabulary_values(PLANTED_ENUM) == {"voting", "counting"}


@pytest.mark.parametrize(
    "body",
    [
        'cycle.phase == "voting"',
        '"voting" != cycle.current_phase',
        'cycle.phase in ("voting", "counting")',
        'cycle.phase not in ["counting"]',
        'Cycle.phase.in_(("voting", "counting"))',
        'Cycle.phase.not_in({"voting"})',
    ],
)
def test_literal_comparison_checker_catches_planted_string(body):
    assert literal_comparisons(f"def f(cycle):\n    return {body}\n", {"voting", "counting"})


@pytest.mark.parametrize(
    "body",
    [
        "cycle.phase == Phase.VOTING",
        "cycle.phase in (Phase.VOTING, Phase.COUNTING)",
        'key in ("type", "voting")',  # not all of them vocabulary: some other list of words
        'name == "other"',
        'x = "voting"',
    ],
)
def test_literal_comparison_checker_allows_members_and_other_strings(body):
    assert literal_comparisons(f"def f(cycle):\n    {body}\n", {"voting", "counting"}) == []
