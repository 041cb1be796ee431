"""The compiled modules (``_kernel.c``, and ``_ballots.c``'s grouping) against the
pure-Python path they port (``_ballots.c``'s reader: test_pabulib_fast.py).

The kernel and the numpy path take certified decisions only, so wherever both certify a run
they must give the same funding order, the exact method's. (The other tests of the float runs
run on both paths through the ``kernel`` fixture.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pbplatform.tally import RuleConfig
from pbplatform.tally import engines as kernel
from pbplatform.tally.rules.mes.equal_shares import mes_input

from .test_mes_fast import exact_run
from .test_mes_fast_utility import elections as point_elections


def test_kernel_is_built() -> None:
    if os.environ.get("PBP_TALLY_KERNEL") == "0":
        pytest.skip("PBP_TALLY_KERNEL=0 runs the suite on the pure-Python path")
    assert kernel.compiled() is not None, (
        "pbplatform/tally/engines/_kernel.c and _ballots.c were not compiled: install a C "
        "compiler and the Python headers, then reinstall (make install)"
    )


def test_the_compiled_modules_offer_exactly_the_declared_interface() -> None:
    """Every function of ``_kernel.c`` and ``_ballots.c`` is declared in ``engines.Compiled``
    (with the Python function it ports), and every declared function is compiled."""
    import inspect
    import re

    from pbplatform.tally.engines import Compiled

    declared = {
        name
        for name, value in vars(Compiled).items()
        if inspect.isfunction(value) and not name.startswith("_")
    }
    root = Path(__file__).resolve().parents[2] / "pbplatform" / "tally" / "engines"
    exported = {
        name
        for source in ("_kernel.c", "_ballots.c")
        for name in re.findall(r'^\s*\{"(\w+)", \w+, METH_', (root / source).read_text(), re.M)
    }
    assert exported
    assert declared == exported
    engine = kernel.compiled()
    if engine is not None:
        assert all(callable(getattr(engine, name)) for name in declared)


def test_the_kernel_can_be_turned_off() -> None:
    with kernel.using("python"):
        assert kernel.compiled() is None


def test_the_environment_does_not_choose_the_engine(monkeypatch) -> None:
    """Only the command line reads PBP_TALLY_KERNEL; a library call says what it wants."""
    monkeypatch.setenv("PBP_TALLY_KERNEL", "0")
    if not kernel.built():
        pytest.skip("the compiled modules are not built here")
    with kernel.using("auto"):
        assert kernel.compiled() is not None


def test_an_unknown_or_missing_engine_is_refused() -> None:
    from pbplatform.tally import TallyConfigError

    with pytest.raises(TallyConfigError, match="unknown engine"), kernel.using("fortran"):
        pass


@pytest.mark.skipif(kernel.compiled() is None, reason="the compiled kernel is off or not built")
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(point_elections(), st.lists(st.fractions(0, 50), min_size=1, max_size=4))
def test_compiled_and_pure_points_runs_agree(monkeypatch, election, shares) -> None:
    compiled = mes_input(election, RuleConfig("equalshares"))
    assume(compiled.voters > 0)
    with kernel.using("python"):
        pure = mes_input(election, RuleConfig("equalshares"))
    assert compiled.points.kernel is not None
    assert pure.points.kernel is None
    for share in shares:
        a = compiled.points.run(share / compiled.scale)
        b = pure.points.run(share / pure.scale)
        if a is not None and b is not None:
            assert a == b
        if a is not None:
            assert [compiled.ids[q] for q in a] == exact_run(compiled, share).selected


@pytest.mark.skipif(kernel.compiled() is None, reason="the compiled kernel is off or not built")
def test_buffers_of_the_wrong_size_are_refused() -> None:
    election_points = [{0: Fraction(1)}, {0: Fraction(2), 1: Fraction(1)}]
    from pbplatform.tally.rules.mes.float_points import FastUtility

    fast = FastUtility(election_points, [1, 1], [3, 4])
    assert fast.run(Fraction(5)) is not None
    short = list(fast.flat)
    short[4] = np.zeros(1)  # one point for three supporters
    with pytest.raises(ValueError, match="expected"):
        fast.kernel.points_run(*short, 5.0, True, 0.0, None, np.empty((3, 2, 2)))
    with pytest.raises(ValueError, match="expected"):
        fast.kernel.points_run(*fast.flat, 5.0, True, 0.0, None, np.empty(3))


@pytest.mark.skipif(kernel.compiled() is None, reason="the compiled kernel is off or not built")
@pytest.mark.parametrize(
    ("offsets", "supporters", "message"),
    [
        ([0, 2, 1], [0], "out of order"),
        ([0, 1, 3], [0, 1], "expected"),
        ([0, 1, 2], [0, 5], "out of range"),
        ([0, 1, 2], [-1, 0], "out of range"),
    ],
)
def test_supporter_lists_are_checked_once_built(offsets, supporters, message) -> None:
    with pytest.raises(ValueError, match=message):
        kernel.compiled().check_supporters(
            2, 3, np.array(offsets, dtype=np.int64), np.array(supporters, dtype=np.int64)
        )


@pytest.mark.skipif(kernel.compiled() is None, reason="the compiled kernel is off or not built")
def test_phragmen_refuses_rows_and_projects_out_of_range() -> None:
    one = np.array([0, 1], dtype=np.int64)  # one project, one supporter group (0)
    last, weight = np.zeros(1, dtype=np.int64), np.zeros((2, 1), dtype=np.int64)
    w = np.ones(1, dtype=np.int64)
    fund = kernel.compiled().phragmen_fund
    with pytest.raises(ValueError, match="out of range"):
        fund(
            1,
            1,
            one,
            np.zeros(1, dtype=np.int64),
            one,
            np.array([3], dtype=np.int64),
            w,
            last,
            weight,
            0,
            1,
        )
    with pytest.raises(ValueError, match="out of range"):
        fund(
            1,
            1,
            one,
            np.zeros(1, dtype=np.int64),
            one,
            np.zeros(1, dtype=np.int64),
            w,
            last,
            weight,
            0,
            2,
        )
    fund(
        1,
        1,
        one,
        np.zeros(1, dtype=np.int64),
        one,
        np.zeros(1, dtype=np.int64),
        w,
        last,
        weight,
        0,
        1,
    )
    assert weight.tolist() == [[-1], [1]]
    assert last.tolist() == [1]


def test_without_a_compiler_the_build_skips_the_kernel(tmp_path) -> None:
    """The promise of setup.py and the README: no C compiler, still a working install."""
    root = Path(__file__).resolve().parents[2]
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(root / name, tmp_path / name)
    engines = Path("pbplatform", "tally", "engines")
    (tmp_path / engines).mkdir(parents=True)
    for source in ("_kernel.c", "_ballots.c"):
        shutil.copy(root / engines / source, tmp_path / engines)
    env = {**os.environ, "CC": "/bin/false"}
    done = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for name in ("_kernel", "_ballots"):
        assert f'building extension "pbplatform.tally.engines.{name}" failed' in done.stderr
    assert not list((tmp_path / engines).glob("*.so"))


ballot_lists = st.lists(
    st.tuples(st.lists(st.integers(0, 69), max_size=8), st.integers(0, 3)), max_size=40
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ballot_lists, st.sampled_from([1, 64, 70]))
def test_compiled_and_pure_ballot_groups_agree(monkeypatch, ballots, projects) -> None:
    """The same distinct ballots with the same total weights, none weighted zero (the
    compiled grouping orders them differently, which changes no outcome)."""
    from pbplatform.tally.rules.mes.equal_shares import ballot_groups

    ballots = [([q % projects for q in ids], w) for ids, w in ballots]
    lengths = [len(ids) for ids, _ in ballots]
    weights = np.array([w for _, w in ballots], dtype=np.int64)

    def grouped() -> set:
        flat = np.array([q for ids, _ in ballots for q in ids], dtype=np.int64)
        rows, totals, supporters = ballot_groups(lengths, flat, weights, projects)
        assert rows.shape == (len(totals), projects)
        assert (totals > 0).all()
        if supporters is not None:  # as rows_of would find them
            for mine, theirs in zip(supporters, kernel.rows_of(rows.T), strict=True):
                assert mine.tolist() == theirs.tolist()
        return {(tuple(np.flatnonzero(row)), int(w)) for row, w in zip(rows, totals, strict=True)}

    if kernel.compiled() is None:
        pytest.skip("the compiled reader is off (PBP_TALLY_KERNEL=0) or not built here")
    compiled = grouped()
    with kernel.using("python"):
        assert compiled == grouped()
    expected: dict = {}
    for ids, w in ballots:
        expected[tuple(sorted(set(ids)))] = expected.get(tuple(sorted(set(ids))), 0) + w
    assert compiled == {(ids, w) for ids, w in expected.items() if w}


def test_ballot_groups_refuse_inconsistent_buffers() -> None:
    compiled = kernel.compiled()
    if compiled is None:
        pytest.skip("the compiled reader is off (PBP_TALLY_KERNEL=0) or not built here")
    one = np.array([1], dtype=np.int64)
    for lengths, flat, weights, projects in (
        (one, np.array([5]), one, 3),  # a project out of range
        (one, np.array([-1]), one, 3),
        (np.array([2]), one, one, 3),  # lengths longer than flat
        (np.array([0]), one, one, 3),  # flat longer than lengths
        (np.array([-1, 2]), one, np.array([1, 1]), 3),  # a negative length
    ):
        with pytest.raises(ValueError, match="lengths and flat disagree"):
            compiled.approval_groups(
                np.asarray(lengths, dtype=np.int64),
                np.asarray(flat, dtype=np.int64),
                weights,
                projects,
            )
    with pytest.raises(ValueError, match="wrong buffer size"):
        compiled.approval_groups(one, one, np.array([1, 2], dtype=np.int64), 3)
    with pytest.raises(ValueError, match="must not be negative"):
        compiled.approval_groups(one, one, one, -1)


def test_the_money_left_kernel_refuses_winners_out_of_range() -> None:
    compiled = kernel.compiled()
    if compiled is None:
        pytest.skip("the compiled kernel is off (PBP_TALLY_KERNEL=0) or not built here")
    groups = np.array([[1, 0], [1, 1]], dtype=np.uint8)
    live = np.array([1, 1], dtype=np.uint8)
    w = np.array([2, 3], dtype=np.int64)
    base, cross = compiled.approval_cross(2, 2, groups, live, w, np.array([1], dtype=np.int64))
    assert np.frombuffer(base, dtype=np.int64).tolist() == [5, 3]
    assert np.frombuffer(cross, dtype=np.int64).tolist() == [3, 3]  # both approve 1 in group 1
    with pytest.raises(ValueError, match="a winner is out of range"):
        compiled.approval_cross(2, 2, groups, live, w, np.array([2], dtype=np.int64))
    with pytest.raises(ValueError, match="expected 2"):
        compiled.approval_cross(2, 2, groups, live[:1], w, np.array([0], dtype=np.int64))
