"""Record pabutools' outcomes on the Pabulib files, for tests/tally/test_conformance.py.

pabutools (GPL, test-only) is the reference implementation but is slow on large files, so its
outcomes are recorded once here and the test suite compares against the record. Run:

    python scripts/regenerate_tally_expectations.py [--missing] [--timeout 120]
        [--rule RULE ...] [--budget-seconds 6000] [--give-up-after 5] [--memory-gb 6]

Each (file, rule) pair is counted by pabutools in its own subprocess, killed after
``--timeout`` seconds; a pair that times out (or fails) is not recorded and is listed at the
end. Rules are taken one after another in the order given (default: ``RULES``), each over the
files smallest first, so the cheap pairs of every rule come before the expensive ones. A rule
is abandoned after ``--give-up-after`` timeouts in a row, since its larger files would mostly
time out as well. The record is rewritten after every success, so stopping the script (kill
or Ctrl-C) loses nothing. ``seconds`` is pabutools' in-process time for parsing + counting in
that subprocess, on this machine, possibly under load: an indication, not a benchmark.
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.tally.conftest import pabulib_files  # noqa: E402

OUT = ROOT / "tests" / "tally" / "expected" / "pabutools.json"

# default order: the MES variants first, they are where our fast paths need checking
RULES = (
    "equalshares",
    "equalshares/add1",
    "equalshares/add1-until-exhaustive",
    "phragmen",
    "greedy-threshold",
    "greedy",
)
Record = dict[str, dict[str, dict]]


def applicable(rule: str, meta: dict[str, str]) -> bool:
    vote_type = meta.get("vote_type")
    if rule == "greedy-threshold":
        return "min_project_score_threshold" in meta
    if rule == "phragmen":
        return vote_type in ("approval", "choose-1")
    if rule.startswith("equalshares"):  # cost satisfaction, or points as utility
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


def count_one(path: Path, rule: str) -> None:
    """Child process: print pabutools' outcome and its in-process time as one JSON line."""
    # pabutools' own import (~0.2 s) is not part of counting: ours is not timed either
    import pabutools.election
    import pabutools.rules  # noqa: F401

    from tests.tally import pabutools_ref as ref

    t0 = time.perf_counter()
    selected = ref.outcome(path, rule)
    seconds = round(time.perf_counter() - t0, 3)
    print(json.dumps({"selected": selected, "seconds": seconds}))


def run_child(path: Path, rule: str, timeout: float, memory_gb: float) -> dict | str:
    """pabutools' outcome for one pair, or why there is none ("timeout" or an error)."""
    limit = int(memory_gb * 2**30)

    def cap_memory() -> None:  # pabutools' MES can take several GB; the machine is shared
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    command = [sys.executable, __file__, "--one", str(path), rule]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=cap_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"failed ({last[:120]})"
    return json.loads(done.stdout.strip().splitlines()[-1])


def save(record: Record) -> None:
    # write then rename, so a kill during the write cannot truncate the record
    tmp = OUT.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    tmp.replace(OUT)


def pairs(rules: list[str], record: Record, missing: bool) -> list[tuple[Path, str]]:
    files = sorted(pabulib_files(), key=lambda p: p.stat().st_size)
    metas = {path: head_meta(path) for path in files}
    return [
        (path, rule)
        for rule in rules
        for path in files
        if applicable(rule, metas[path]) and not (missing and rule in record.get(path.name, {}))
    ]


def stop_on_term(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so the summary is printed and the running child is killed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", nargs=2, metavar=("PATH", "RULE"), help=argparse.SUPPRESS)
    parser.add_argument("--missing", action="store_true", help="only pairs not yet recorded")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per pair")
    parser.add_argument(
        "--budget-seconds", type=float, default=None, help="start no pair after this many seconds"
    )
    parser.add_argument(
        "--give-up-after",
        type=int,
        default=5,
        help="abandon a rule after this many timeouts in a row (0: never)",
    )
    parser.add_argument("--memory-gb", type=float, default=6)
    parser.add_argument("--rule", action="append", choices=list(RULES))
    args = parser.parse_args()
    if args.one:
        count_one(Path(args.one[0]), args.one[1])
        return 0
    signal.signal(signal.SIGTERM, stop_on_term)
    record: Record = json.loads(OUT.read_text()) if OUT.exists() else {}
    todo = pairs(args.rule or list(RULES), record, args.missing)
    print(f"{len(todo)} pairs to count", flush=True)
    missed: list[str] = []
    try:
        run_all(todo, record, args, missed)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    print(f"\n{len(missed)} pairs not recorded:")
    for line in missed:
        print(f"  {line}")
    return 0


def run_all(
    todo: list[tuple[Path, str]], record: Record, args: argparse.Namespace, missed: list[str]
) -> None:
    start = time.time()
    in_a_row: dict[str, int] = {}
    for path, rule in todo:
        label = f"{path.name} {rule}"
        if args.budget_seconds is not None and time.time() - start > args.budget_seconds:
            missed.append(f"{label}: time budget spent")
            continue
        if args.give_up_after and in_a_row.get(rule, 0) >= args.give_up_after:
            missed.append(f"{label}: not tried, {rule} abandoned")
            continue
        t0 = time.time()
        try:
            got = run_child(path, rule, args.timeout, args.memory_gb)
        except KeyboardInterrupt:
            missed.append(f"{label}: stopped after {time.time() - t0:.0f}s")
            raise
        if isinstance(got, str):
            in_a_row[rule] = in_a_row.get(rule, 0) + (got == "timeout")
            missed.append(f"{label}: {got}")
            print(f"{label} {got} after {time.time() - t0:.0f}s", flush=True)
            continue
        in_a_row[rule] = 0
        record.setdefault(path.name, {})[rule] = got
        save(record)
        print(f"{label} {got['seconds']}s", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
