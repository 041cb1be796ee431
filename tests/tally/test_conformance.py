"""Agreement with pabutools on the real Pabulib elections.

Recorded outcomes (tests/tally/expected/pabutools.json, written by
scripts/regenerate_tally_expectations.py) cover the large files; a sample of small files is
also compared live, so a change in pabutools or in the adapter shows up here too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pbplatform.tally import RuleConfig, count, read_pabulib

from .conftest import pabulib_dir, pabulib_files

EXPECTED = Path(__file__).parent / "expected" / "pabutools.json"
RECORD = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
CASES = [(name, rule) for name, rules in sorted(RECORD.items()) for rule in sorted(rules)]
ORDERED = ("greedy", "greedy-threshold")  # pabutools gives these in funding order


def agree(ours: list[str], theirs: list[str], rule: str) -> bool:
    return ours == theirs if rule in ORDERED else sorted(ours) == sorted(theirs)


@pytest.mark.parametrize(("name", "rule"), CASES, ids=[f"{n}:{r}" for n, r in CASES])
def test_agrees_with_recorded_pabutools(name: str, rule: str) -> None:
    path = pabulib_dir() / name
    if not path.is_file():
        pytest.skip(f"{name} not in {pabulib_dir()} (set PBP_PABULIB_DIR)")
    ours = count(read_pabulib(path), RuleConfig(rule=rule, tie_break="name")).selected
    assert agree(ours, RECORD[name][rule]["selected"], rule)


SMALL = [p for p in pabulib_files() if p.stat().st_size < 20_000][:12]
LIVE = ["greedy", "equalshares", "phragmen"]


@pytest.mark.skipif(not SMALL, reason="no Pabulib files (set PBP_PABULIB_DIR)")
@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.name)
def test_agrees_with_live_pabutools(path: Path) -> None:
    pytest.importorskip("pabutools")
    from . import pabutools_ref as ref

    election = read_pabulib(path)
    instance, profile = ref.load(path)
    for rule in LIVE:
        if rule != "greedy" and election.vote_type != "approval":
            continue
        ours = count(election, RuleConfig(rule=rule, tie_break="name")).selected
        assert agree(ours, ref.outcome_of(instance, profile, rule), rule), rule


OFFICIAL = [
    "Netherlands_Assen_2024.pb",  # equalshares/add1
    "Poland_Czestochowa_2024_Stradom.pb",  # greedy
    "Poland_Lodz_2022.pb",  # greedy-threshold, 100 votes
    "Poland_Swiecie_2023.pb",  # equalshares/add1
    "Poland_Wieliczka_2023_Green_Budget.pb",  # equalshares/add1-comparison, 30 winners
]


@pytest.mark.parametrize("name", OFFICIAL)
def test_reproduces_official_outcome(name: str) -> None:
    path = pabulib_dir() / name
    if not path.is_file():
        pytest.skip(f"{name} not in {pabulib_dir()} (set PBP_PABULIB_DIR)")
    election = read_pabulib(path)
    official = {p.id for p in election.projects if dict(p.extra).get("selected") == "1"}
    rule = election.meta["rule"]
    assert set(count(election, RuleConfig(rule=rule)).selected) == official
