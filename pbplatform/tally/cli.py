"""``pbplatform tally FILE.pb [--rule RULE] [--json] [--check]``: recount a published election."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from .count import count
from .io import published
from .io.pabulib import read_pabulib
from .model import Election, RuleConfig, TallyError
from .outcome import Outcome, fmt
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
    tally.add_argument(
        "--check",
        action="store_true",
        help="compare with the outcome the file records as published; exit 1 on any difference",
    )
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
    elif not args.check:
        sys.stdout.write(table(outcome, election))
    return _compare(args, election, outcome)


def _compare(args: argparse.Namespace, election: Election, outcome: Outcome) -> int:
    """--check: 'reproduced' or the first difference (exit 1). Without --check a published
    file that does not reproduce still says so, loudly, on stderr."""
    meta = election.meta
    if not args.check and published.OUTCOME_KEY not in meta and published.RECOUNT_KEY not in meta:
        return 0  # a plain Pabulib file: nothing published to compare with
    difference = published.check(meta, outcome.to_dict())
    if difference is None:
        if args.check:
            print("reproduced")
        return 0
    overridden = _overrides(args)
    if overridden and not args.check:
        return 0  # counting another way on purpose (--rule, ...): no published list to match
    print(f"pbplatform tally: NOT REPRODUCED: {difference}", file=sys.stderr)
    if args.check:
        if overridden:
            print(f"pbplatform tally: flags change the count: {overridden}", file=sys.stderr)
        print(f"differs: {difference}")
        return 1
    return 0


def _overrides(args: argparse.Namespace) -> str:
    flags = ("rule", "tie_break", "seed", "threshold", "n", "channel_weights", "combination")
    return ", ".join(f"--{f.replace('_', '-')}" for f in flags if getattr(args, f) is not None)


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


def table(outcome: Outcome, election: Election | None = None) -> str:
    """A readable table: rank, funded mark, project name, cost in the file's currency, the
    combined score, each channel's (weighted) score and the reason."""
    meta = election.meta if election is not None else {}
    names = {p.id: p.name for p in election.projects} if election is not None else {}
    money = _money_format(meta)
    channels = list(outcome.channels)
    lines = [
        f"rule: {outcome.rule}   tie-break: {outcome.tie_break}",
        f"budget: {money(outcome.budget)}   spent: {money(outcome.spent)}"
        f"   funded: {len(outcome.selected)} (marked *)",
    ]
    if channels:
        lines.append("channel scores are weighted (votes or points x the channel's weight)")
    header = f"{'rank':>4}  {'':1}  {'project':<30} {'cost':>14} {'score':>9}"
    header += "".join(f" {ch[:9]:>9}" for ch in channels)
    lines += ["", header + "  why"]
    for r in outcome.projects:
        mark = "*" if r.selected else " "
        label = f"{r.id} {names.get(r.id, '')}".strip()
        row = f"{r.rank:>4}  {mark}  {label[:30]:<30} {money(r.cost):>14} {fmt(r.score):>9}"
        row += "".join(f" {fmt(r.channel_scores.get(ch, 0)):>9}" for ch in channels)
        lines.append(f"{row}  {_why(r, money)}")
    lines += [f"note: {n}" for n in outcome.notes]
    return "\n".join(lines) + "\n"


def _why(r, money) -> str:
    """The explanation with amounts in the file's currency where the count gives them."""
    if r.remaining_before is not None and r.reason in ("funded", "did_not_fit"):
        verb = "funded" if r.reason == "funded" else "did not fit"
        return f"{verb}: {money(r.remaining_before)} left, costs {money(r.cost)}"
    return r.explanation


def _money_format(meta: Mapping[str, str]):
    """Amounts in the file's currency: ``currency_decimals`` (our META key) says how many
    decimals the file's whole numbers hold (2: costs are cents); without it, plain numbers."""
    currency = meta.get("currency", "")
    decimals = int(meta.get("currency_decimals") or 0)

    def money(amount: int) -> str:
        if not currency and not decimals:
            return str(amount)
        text = f"{Decimal(amount).scaleb(-decimals):,.{decimals}f}"
        return f"{currency} {text}".strip()

    return money


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
