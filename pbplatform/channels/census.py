"""Census check: the register of eligible residents, kept as peppered hashes only.

Upload: a CSV with the columns identifier, birth_date (YYYY-MM-DD), postcode. Each row becomes
sha256-HMAC(pepper, normalised identifier|birth date|postcode). No birth date is stored: for a
person below the cycle's minimum age on the upload day we keep `adult_from` (the day they reach
it), for everyone else no date at all. Re-uploading replaces the register but keeps the entries
(and so account links and `census:<id>` voter keys) of people who are still in it. All or
nothing: any bad row rejects the whole file, listing every row.

Other features call `check_eligibility(cycle, user)` at cast time. The one-vote identity of a
census-verified resident is 'census:<entry hash>' (`voting.services.voter_key_for` returns it),
so a paper ballot checked against the register and an online vote meet on the same key.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from pbplatform.accounts.models import User
from pbplatform.audit import services as audit
from pbplatform.channels.models import CensusEntry
from pbplatform.channels.pepper import peppered_hash
from pbplatform.cycles.models import CastCycle, Cycle, Phase, VotePolicy
from pbplatform.db import today, utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import db
from pbplatform.voting.models import Participation

if TYPE_CHECKING:  # api imports this module
    from pbplatform.api.services import TokenOwner

COLUMNS = ["identifier", "birth_date", "postcode"]
MAX_ROWS = 500_000


class FileRejected(DomainError):
    """A whole upload refused; `errors` lists every bad row ("row 57: ...")."""

    def __init__(self, errors: list[str]):
        super().__init__(
            "file_rejected",
            _("The file was rejected; nothing was stored."),
            status=422,
            errors=errors,
        )
        self.errors = errors


def normalise(text: str) -> str:
    return "".join(text.split()).upper()


def parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def entry_hash(identifier: str, born_on: date, postcode: str) -> str:
    return peppered_hash(
        "census", f"{normalise(identifier)}|{born_on.isoformat()}|{normalise(postcode)}"
    )


def adult_from(born_on: date, min_age: int | None) -> date:
    if not min_age:
        return born_on
    try:
        return born_on.replace(year=born_on.year + min_age)
    except ValueError:  # born on 29 February
        return date(born_on.year + min_age, 3, 1)


# Excel writes CSV with the list separator of the system's locale: a comma in English, a
# semicolon in German. The header line decides which one a file uses.
DELIMITERS = (",", ";")


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def decode_csv(data: bytes) -> list[list[str]]:
    """The rows of a UTF-8 CSV file (with or without a byte order mark), separated by commas
    or semicolons."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = _(
            "the file is not UTF-8 text (byte %(pos)s); save it as “CSV UTF-8”",
            pos=exc.start,
        )
        raise FileRejected([message]) from None
    first_line = text.split("\n", 1)[0]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line)))


# Complexity: one check per way a CSV header can be wrong, each with its own message naming the
# column.
def check_header(
    rows: list[list[str]], columns: list[str], optional: tuple[str, ...] = ()
) -> list[str]:
    """The header as given; FileRejected naming what is wrong with it: a required column
    missing, an unknown column, a repeated one, or a separator we do not read."""
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileRejected([_("the file is empty")])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in columns if c not in header]
    extra = [h for h in header if h not in columns and h not in optional]
    repeated = sorted({h for h in header if header.count(h) > 1})
    problems = []
    if len(header) == 1 and missing:
        problems.append(
            _(
                "row 1: the header “%(header)s” is one column; separate the columns %(cols)s "
                "with commas or semicolons",
                header=rows[0][0][:60],
                cols=", ".join(columns),
            )
        )
    else:
        if missing:
            problems.append(_("row 1: required column missing: %(cols)s", cols=", ".join(missing)))
        if extra:
            allowed = ", ".join(columns + list(optional))
            problems.append(
                _(
                    "row 1: unknown column: %(cols)s (the columns are %(allowed)s)",
                    cols=", ".join(extra),
                    allowed=allowed,
                )
            )
        if repeated:
            problems.append(_("row 1: column given twice: %(cols)s", cols=", ".join(repeated)))
    if problems:
        raise FileRejected(problems)
    return header


def csv_records(
    rows: list[list[str]], header: list[str], errors: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows as (row number, {column: value}), blank rows skipped. A row with the wrong
    number of cells goes to `errors` instead, in row order as the caller iterates."""
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            errors.append(
                _(
                    "row %(n)s: expected %(want)s columns, found %(got)s",
                    n=number,
                    want=len(header),
                    got=len(raw),
                )
            )
            continue
        yield number, dict(zip(header, raw, strict=True))


@dataclass(frozen=True)
class CensusRow:
    entry_hash: str
    adult_from: date | None


def _parse_census_row(cycle: Cycle, values: dict[str, str], on: date) -> CensusRow | str:
    identifier, postcode = values["identifier"].strip(), values["postcode"].strip()
    born_on = parse_date(values["birth_date"])
    if not identifier or not postcode:
        return _("identifier and postcode are required")
    if born_on is None or born_on > on:
        return _("birth date %(value)s is not a date like 2001-12-31", value=values["birth_date"])
    grown = adult_from(born_on, cycle.min_age)
    return CensusRow(entry_hash(identifier, born_on, postcode), grown if grown > on else None)


def parse_census(cycle: Cycle, data: bytes) -> list[CensusRow]:
    rows = decode_csv(data)
    header = check_header(rows, COLUMNS)
    errors: list[str] = []
    parsed: dict[str, int] = {}
    result: list[CensusRow] = []
    on = today()
    for number, values in csv_records(rows, header, errors):
        row = _parse_census_row(cycle, values, on)
        if isinstance(row, str):
            errors.append(_("row %(n)s: %(reason)s", n=number, reason=row))
        elif row.entry_hash in parsed:
            errors.append(
                _(
                    "row %(n)s: the same person as row %(other)s",
                    n=number,
                    other=parsed[row.entry_hash],
                )
            )
        else:
            parsed[row.entry_hash] = number
            result.append(row)
    if len(result) > MAX_ROWS:
        errors.append(_("the file has more than %(max)s rows", max=MAX_ROWS))
    if errors:
        raise FileRejected(errors)
    return result


def upload_census(cycle: Cycle, data: bytes, actor: User | None = None) -> dict[str, int]:
    """Replace the cycle's register with the file's entries; returns counts for the page."""
    if cycle.current_phase in (Phase.COUNTING, Phase.RESULTS):  # closed by the clock too
        raise DomainError("voting_over", _("The register cannot change after voting."), status=409)
    rows = parse_census(cycle, data)
    existing = {
        e.entry_hash: e
        for e in db.session.scalars(sa.select(CensusEntry).where(CensusEntry.cycle_id == cycle.id))
    }
    incoming = {r.entry_hash: r for r in rows}
    removed = [e for h, e in existing.items() if h not in incoming]
    for entry in removed:
        db.session.delete(entry)
    for h, row in incoming.items():
        if h in existing:
            existing[h].adult_from = row.adult_from
        else:
            db.session.add(CensusEntry(cycle_id=cycle.id, entry_hash=h, adult_from=row.adult_from))
    db.session.flush()
    counts = {
        "entries": len(incoming),
        "added": len(incoming.keys() - existing.keys()),
        "removed": len(removed),
    }
    audit.record("census.upload", cycle, after=counts, actor=actor)
    return counts


def find_entry(cycle: Cycle, identifier: str, born_on: date, postcode: str) -> CensusEntry | None:
    return db.session.scalar(
        sa.select(CensusEntry).where(
            CensusEntry.cycle_id == cycle.id,
            CensusEntry.entry_hash == entry_hash(identifier, born_on, postcode),
        )
    )


def entry_for_user(cycle: Cycle | CastCycle, user: User | TokenOwner) -> CensusEntry | None:
    return db.session.scalar(
        sa.select(CensusEntry).where(
            CensusEntry.cycle_id == cycle.id, CensusEntry.user_id == user.id
        )
    )


def _ensure_of_age(entry: CensusEntry) -> None:
    if entry.adult_from is not None and entry.adult_from > today():
        raise DomainError(
            "under_age",
            _(
                "You can take part from %(day)s, when you reach the minimum age.",
                day=format_date(entry.adult_from, "medium"),
            ),
            status=403,
        )


def verify_resident(
    cycle: Cycle, user: User, identifier: str, born_on: date, postcode: str
) -> CensusEntry:
    """Link `user` to their register entry; one account per entry, one entry per account."""
    entry = find_entry(cycle, identifier, born_on, postcode)
    if entry is None:
        raise DomainError(
            "census_no_match",
            _("These details do not match the register. Check them, or ask the council office."),
        )
    _ensure_of_age(entry)
    if entry.user_id == user.id:
        return entry
    if entry.user_id is not None:
        raise DomainError(
            "census_taken",
            _(
                "These details are already linked to another "
                "account. Each person may verify one account."
            ),
            status=409,
        )
    if entry_for_user(cycle, user) is not None:
        raise DomainError(
            "census_already_verified",
            _("Your account is already verified for this cycle."),
            status=409,
        )
    entry.user_id, entry.verified_at = user.id, utcnow()
    db.session.flush()
    _move_participations(user, person_key(entry))
    audit.record("census.verify", entry, actor=user, after={"user_id": user.id})
    return entry


def check_eligibility(cycle: Cycle | CastCycle, user: User | TokenOwner) -> None:
    """Raise DomainError (403) if `user` may not vote online in `cycle`; call it at cast time.

    registered: any active account; census: a verified register entry, still in the register
    and of age today; codes: online voting is closed to accounts (vote with the code).
    """
    if not user.is_active:
        raise DomainError("not_eligible", _("This account cannot vote."), status=403)
    if cycle.vote_policy == VotePolicy.CODES:
        raise DomainError(
            "codes_only",
            _("In this cycle you vote with the voting code sent to you by post."),
            status=403,
        )
    if (
        cycle.vote_policy == VotePolicy.REGISTERED
        and cycle.min_age
        and user.birth_date is not None
        and adult_from(user.birth_date, cycle.min_age) > today()
    ):
        raise DomainError(
            "under_age", _("You are below the minimum age for this cycle."), status=403
        )
    if cycle.vote_policy == VotePolicy.CENSUS:
        entry = entry_for_user(cycle, user)
        if entry is None:
            raise DomainError(
                "not_verified",
                _("Verify your residence against the register before you vote."),
                status=403,
            )
        _ensure_of_age(entry)


def person_key(entry: CensusEntry) -> str:
    """The one-vote identity of a register entry: the same person hashes alike in every cycle."""
    return f"census:{entry.entry_hash}"


def census_voter_key(cycle: Cycle, user: User) -> str | None:
    """'census:<entry hash>' for a user verified in this cycle's register, else None."""
    entry = entry_for_user(cycle, user)
    return person_key(entry) if entry is not None else None


def census_person_key(user: User | TokenOwner) -> str | None:
    """The census key of the user's latest verification in any cycle (voting.voter_key_for)."""
    if user.id is None:
        return None
    preloaded = user.preloaded_census_hash  # loaded with an API token: no query
    if preloaded is not None:
        return f"census:{preloaded}" if preloaded else None
    entry = db.session.scalar(
        sa.select(CensusEntry)
        .where(CensusEntry.user_id == user.id)
        .order_by(CensusEntry.id.desc())
        .limit(1)
    )
    return person_key(entry) if entry is not None else None


def _move_participations(user: User, key: str) -> None:
    """After verifying, earlier votes of the account count under the census key too."""
    taken = sa.select(Participation.cycle_id).where(Participation.voter_key == key)
    db.session.execute(
        sa.update(Participation)
        .where(Participation.voter_key == f"user:{user.id}", Participation.cycle_id.not_in(taken))
        .values(voter_key=key)
        .execution_options(synchronize_session=False)
    )


def census_count(cycle: Cycle) -> tuple[int, int]:
    """(entries in the register, entries linked to an account)."""
    total = (
        db.session.scalar(
            sa.select(sa.func.count(CensusEntry.id)).where(CensusEntry.cycle_id == cycle.id)
        )
        or 0
    )
    linked = (
        db.session.scalar(
            sa.select(sa.func.count(CensusEntry.id)).where(
                CensusEntry.cycle_id == cycle.id, CensusEntry.user_id.is_not(None)
            )
        )
        or 0
    )
    return total, linked
