"""Record pabutools' outcomes on the Pabulib files, for tests/tally/test_conformance.py.

pabutools (GPL, test-only) is the reference implementation but is slow on large files, so its
outcomes are recorded once here and the test suite compares against the record. Run:

    python scripts/regenerate_tally_expectations.py [--budget-seconds 900] [--rule RULE]

Files are tried smallest first; a (file, rule) pair is skipped when the file is larger than
that rule's size limit below (pabutools would need minutes), or when the time budget is spent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.tally import pabutools_ref as ref  # noqa: E402
from tests.tally.conftest import pabulib_files  # noqa: E402

OUT = ROOT / "tests" / "tally" / "expected" / "pabutools.json"

# largest file (bytes) per rule that pabutools counts in reasonable time on this machine
SIZE_LIMIT = {
    "greedy": 8_000_000,
    "greedy-threshold": 8_000_000,
    "equalshares": 1_500_000,
    "phragmen": 400_000,
    "equalshares/add1-until-exhaustive": 120_000,
    "equalshares/add1": 120_000,
}
ALWAYS = {"equalshares/add1": {"Poland_Swiecie_2023.pb", "Netherlands_Assen_2024.pb"}}


def applicable(path: Path, rule: str, meta: dict[str, str]) -> bool:
    vote_type = meta.get("vote_type")
    if path.name in ALWAYS.get(rule, set()):
        return True
    if path.stat().st_size > SIZE_LIMIT[rule]:
        return False
    if rule == "greedy-threshold":
        return "min_project_score_threshold" in meta
    if rule == "phragmen" or rule.startswith("equalshares/"):
        return vote_type in ("approval", "choose-1")
    if rule == "equalshares":
        return vote_type != "ordinal"
    return True


def head_meta(path: Path) -> dict[str, str]:
    meta = {}
    with open(path, encoding="utf-8-sig") as handle:
        for line in handle:
            if line.strip() == "PROJECTS":
                break
            key, _, value = line.strip().partition(";")
            meta[key] = value
    return meta


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget-seconds", type=float, default=900)
    parser.add_argument("--rule", action="append", choices=list(SIZE_LIMIT))
    args = parser.parse_args()
    record = json.loads(OUT.read_text()) if OUT.exists() else {}
    start = time.time()
    for path in sorted(pabulib_files(), key=lambda p: p.stat().st_size):
        meta = head_meta(path)
        for rule in args.rule or list(SIZE_LIMIT):
            if not applicable(path, rule, meta) or time.time() - start > args.budget_seconds:
                continue
            t0 = time.time()
            selected = ref.outcome(path, rule)
            seconds = round(time.time() - t0, 3)
            record.setdefault(path.name, {})[rule] = {"selected": selected, "seconds": seconds}
            print(f"{path.name} {rule} {seconds}s", flush=True)
        OUT.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
