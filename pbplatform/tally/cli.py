"""``pbplatform tally FILE.pb [--rule RULE] [--json]``: recount a published election."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction

from .count import count
from .model import RuleConfig, TallyError
from .outcome import Outcome, fmt
from .pabulib import read_pabulib
from .rules import REFUSED, RULES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pbplatform", description="pbplatform command line")
    sub = parser.add_subparsers(dest="command", required=True)
    tally = sub.add_parser("tally", help="count a Pabulib .pb file")
    tally.add_argument("file", help="path to a .pb file")
    tally.add_argument("--rule", help="rule to count with (default: the file's own rule)")
    tally.add_argument(
        "--tie-break",
        choices=["default", "name"],
        help="default: the file's tie_break, else 'default'",
    )
    tally.add_argument(
        "--seed", help="published seed for the default tie-break lot (default: the file's tie_seed)"
    )
    tally.add_argument("--threshold", help="minimum score for greedy-threshold")
    tally.add_argument(
        "-n", type=int, help="how many projects top-n lists (default: the file's top_n)"
    )
    tally.add_argument(
        "--channel-weights",
        help="e.g. online:1,paper:1,code:2 (default: the file's channel_weights)",
    )
    tally.add_argument(
        "--combination",
        choices=["raw", "normalized"],
        help="default: the file's combination, else 'raw'",
    )
    tally.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def engine_and_jobs(environ: Mapping[str, str] = os.environ) -> tuple[str, int]:
    """How this command counts: the only place in the count that reads the environment.

    ``PBP_TALLY_KERNEL=0``: the pure-Python path. ``PBP_TALLY_JOBS``: processes an add1 count
    may use (default: two on a machine with two cores or more).
    """
    engine = "python" if environ.get("PBP_TALLY_KERNEL") == "0" else "auto"
    wanted = environ.get("PBP_TALLY_JOBS", "")
    return engine, int(wanted) if wanted.isdigit() else min(2, os.cpu_count() or 1)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    engine, jobs = engine_and_jobs()
    # A recount is a short process: the cyclic garbage collector would keep rescanning the
    # 100,000 fresh row lists of a large city and double the parse time, and nothing the
    # reader builds forms a cycle.
    gc.disable()
    try:
        election = read_pabulib(args.file, engine=engine)
        rule = args.rule or election.meta.get("rule") or "greedy"
        if rule not in RULES and not args.rule and rule not in REFUSED:
            rule = "greedy"
        outcome = count(election, _config(args, rule, election.meta), jobs=jobs, engine=engine)
    except (OSError, TallyError) as exc:
        print(f"pbplatform tally: {exc}", file=sys.stderr)
        return 2
    if args.json:
        import json  # only --json needs it; a plain recount starts faster without

        json.dump(outcome.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(table(outcome))
    return 0


def _config(args: argparse.Namespace, rule: str, meta: Mapping[str, str]) -> RuleConfig:
    """Flags win; otherwise what the file declares, so a published export recounts as is."""
    top_n = args.n if args.n is not None else meta.get("top_n")
    return RuleConfig(
        rule=rule,
        tie_break=args.tie_break or meta.get("tie_break") or "default",
        seed=args.seed if args.seed is not None else meta.get("tie_seed", ""),
        n=int(top_n) if top_n else None,
        threshold=_fraction(args.threshold),
        channel_weights=_weights(args.channel_weights or meta.get("channel_weights", "")),
        combination=args.combination or meta.get("combination") or "raw",
    )


def _weights(text: str) -> dict[str, Fraction]:
    weights = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        channel, sep, value = part.partition(":")
        if not sep:
            raise TallyError(f"channel weight {part!r} is not channel:weight")
        try:
            weights[channel.strip()] = Fraction(value.strip())
        except ValueError:
            raise TallyError(f"channel weight {part!r} is not a number") from None
    return weights


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def table(outcome: Outcome) -> str:
    """A readable table: rank, funded mark, id, cost, score and the reason."""
    lines = [
        f"rule: {outcome.rule}   tie-break: {outcome.tie_break}",
        f"budget: {outcome.budget}   spent: {outcome.spent}   funded: {len(outcome.selected)}",
        "",
        f"{'rank':>4}  {'':1}  {'project':<14} {'cost':>12} {'score':>10}  why",
    ]
    for r in outcome.projects:
        mark = "*" if r.selected else " "
        lines.append(
            f"{r.rank:>4}  {mark}  {r.id[:14]:<14} {r.cost:>12} {fmt(r.score):>10}  {r.explanation}"
        )
    lines += [f"note: {n}" for n in outcome.notes]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
