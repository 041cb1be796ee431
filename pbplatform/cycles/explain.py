"""The rules of a cycle in plain words, shown publicly before voting opens."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import format_decimal, ngettext
from flask_babel import lazy_gettext as _l

from pbplatform.cycles.models import BallotRule, Combination, CountRule, Cycle, VotePolicy
from pbplatform.i18n import plural_count


def _num(value: Decimal | None) -> str:
    """A rule's number in the page's locale (German: 2,5)."""
    return "" if value is None else format_decimal(Decimal(str(value)))


def explain_ballot_rule(cycle: Cycle) -> str:
    if cycle.ballot_rule == BallotRule.K_APPROVAL:
        k = cycle.max_projects or 0
        return ngettext("Choose at most %(k)s project.", "Choose at most %(k)s projects.", k, k=k)
    if cycle.ballot_rule == BallotRule.CUMULATIVE:
        text = str(
            _l(
                "Distribute %(points)s points among the projects; fractions such as 2.5 "
                "are allowed.",
                points=_num(cycle.points_total),
            )
        )
        if cycle.max_points_per_project is not None:
            text += " " + ngettext(
                "At most %(max)s point may go to one project.",
                "At most %(max)s points may go to one project.",
                plural_count(cycle.max_points_per_project),
                max=_num(cycle.max_points_per_project),
            )
        return text
    return str(
        _l(
            "Choose any projects you support, as long as their total cost fits the "
            "budget of your area and of the district-wide pot."
        )
    )


_COUNT_TEXTS: dict[str, Any] = {
    CountRule.GREEDY: _l(
        "greedy by votes: projects are funded in order of votes, down the list for each "
        "area and district-wide; a project that no longer fits the money left is "
        "skipped and the next one is tried."
    ),
    CountRule.GREEDY_NO_SKIP: _l(
        "greedy by votes without skipping: projects are funded in order of "
        "votes; counting stops at the first project that does not fit."
    ),
    CountRule.GREEDY_THRESHOLD: _l(
        "greedy by votes among projects with a score of at least "
        "%(threshold)s; a project that no longer fits is skipped."
    ),
    CountRule.EQUAL_SHARES: _l(
        "the Method of Equal Shares: the budget is split equally among voters, and "
        "a project is funded only from its supporters' shares, the one costing "
        "each supporter least first."
    ),
    CountRule.EQUAL_SHARES_ADD1: _l(
        "the Method of Equal Shares, then each voter's share is raised by one "
        "unit at a time while the outcome still fits the budget."
    ),
    CountRule.EQUAL_SHARES_ADD1_EXHAUSTIVE: _l(
        "the Method of Equal Shares, with each voter's share "
        "raised by one unit until the budget is spent."
    ),
    CountRule.EQUAL_SHARES_COMPARISON: _l(
        "the Method of Equal Shares, replaced by the greedy outcome "
        "only if more voters prefer the greedy outcome."
    ),
    CountRule.EQUAL_SHARES_ADD1_COMPARISON: _l(
        "the Method of Equal Shares with add-one completion, "
        "replaced by the greedy outcome only if more voters "
        "prefer it."
    ),
    CountRule.PHRAGMEN: _l(
        "sequential Phragmén: projects are funded one by one so that the cost is "
        "shared as evenly as possible among their supporters."
    ),
    CountRule.TOP_N: _l(
        "a list of the %(n)s projects with the highest scores, without a budget limit."
    ),
}


def explain_count_rule(cycle: Cycle) -> str:
    text = _COUNT_TEXTS.get(cycle.count_rule)
    rule = (
        str(text) % {"threshold": _num(cycle.count_threshold), "n": cycle.count_top_n}
        if text is not None
        else cycle.count_rule
    )
    if cycle.tie_break == "name":
        ties = str(_l("Ties are broken by comparing the projects' identifiers as text."))
    else:
        ties = str(
            _l(
                "Ties are broken by lower cost, then more votes, then a lot drawn from "
                "the published seed “%(seed)s”.",
                seed=cycle.tie_seed,
            )
        )
    return str(_l("Counting rule: %(rule)s", rule=rule)) + " " + ties


def explain_combination(cycle: Cycle) -> str:
    if cycle.combination == Combination.NORMALIZED:
        return str(
            _l(
                "Each channel's support is taken as a share of that channel's ballots, "
                "then multiplied by the channel's weight."
            )
        )
    return str(
        _l(
            "Votes or points from every channel are added up, each multiplied by its "
            "channel's weight."
        )
    )


# One identity per cycle, so that no person's two votes can both count (issue 12): unless the
# policy is 'census' it is the account, and sites that check voters ask for the account.
IDENTIFIED_BY_ACCOUNT = _l(
    "With registered residents or voting codes, voters are identified by their account: sites "
    "that check voters ask for the account's e-mail, not for the council's register, so a "
    "paper ballot and another vote of the same person always meet. Only the census policy "
    "checks voters against the register (online voters verify their account first)."
)


# The one source of the one-vote policy in words: the cycle page and the how-to-vote page both
# show these, so they cannot contradict each other. What they say is what the code does:
# online votes, voting codes and paper ballots at a site that checks voters each write the
# cycle's one Participation row (voting/services.py); meeting dots are totals without names
# (channels/meetings.py) and an anonymous paper site writes no Participation row.
def explain_who_votes(cycle: Cycle) -> str:
    who = {
        "census": _l(
            "Residents who are in the council's register and have verified their account "
            "against it may vote online (one account per person); holders of a voting code "
            "may vote with it."
        ),
        "codes": _l(
            "Holders of a voting code sent by post may vote; online voting with an account "
            "is closed in this cycle."
        ),
    }.get(
        cycle.vote_policy,
        _l(
            "Registered residents with a home area may vote online; holders of a voting code "
            "may vote with it."
        ),
    )
    text = str(who)
    if cycle.vote_policy != VotePolicy.CENSUS:
        text += " " + str(IDENTIFIED_BY_ACCOUNT)
    if cycle.min_age:
        text += " " + str(_l("Minimum age: %(age)s.", age=cycle.min_age))
    return text


def explain_one_vote() -> str:
    return str(
        _l(
            "Everyone votes once: a vote online, with a voting code or on paper at a site "
            "that checks voters blocks every other of these channels, and a second attempt is "
            "refused with the name of the channel where the vote was recorded. Dots at a "
            "neighbourhood meeting are counted as totals without names, so they neither "
            "block nor are blocked by a vote; nor is a ballot at an anonymous paper site "
            "matched against other channels."
        )
    )


def explain_vote_policy(cycle: Cycle) -> str:
    return explain_who_votes(cycle) + " " + explain_one_vote()
