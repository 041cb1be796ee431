"""What the demo's steps share: the Demo state, its calendar, its people and who is acting.

The demo's people are found by e-mail or created through the account services; generated
residents share one password hash (see `make_people`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import g

from pbplatform.accounts import services as accounts
from pbplatform.accounts.management import create_staff_user
from pbplatform.accounts.models import Role, User
from pbplatform.accounts.passwords import check_password_policy, hash_password
from pbplatform.coproduction.models import Offer
from pbplatform.cycles import services as cycles
from pbplatform.cycles.models import Area, Cycle, Phase
from pbplatform.demo import data
from pbplatform.extensions import db
from pbplatform.proposals.models import Proposal

PASSWORD = "participate-2026"
DOMAIN = "demo.pbplatform.org"
GENERATED_RESIDENTS = 90
# The demo's calendar (UTC). Phases the demo has not reached yet get dates in the future.
CALENDAR = {
    Phase.PROPOSALS: datetime(2026, 3, 2, 8, tzinfo=UTC),
    Phase.REVIEW: datetime(2026, 4, 27, 8, tzinfo=UTC),
    Phase.VOTING: datetime(2026, 6, 1, 8, tzinfo=UTC),
    Phase.COUNTING: datetime(2026, 6, 29, 8, tzinfo=UTC),
    Phase.RESULTS: datetime(2026, 7, 13, 8, tzinfo=UTC),
}

STAFF = [
    # key, e-mail local part, display name, role, officer areas (codes)
    ("admin", "admin", "Demo Admin", "admin", ()),
    ("officer", "officer", "Olga Officer", "officer", ()),
    ("officer2", "officer2", "Otto Second-Officer", "officer", ()),
    ("fen_officer", "fennpfuhl.officer", "Frieda Fennpfuhl-Officer", "officer", ("FEN",)),
]
FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emine",
    "Felix",
    "Greta",
    "Hamid",
    "Ines",
    "Jonas",
    "Katarzyna",
    "Lukas",
    "Mai",
    "Nils",
    "Olena",
    "Paul",
    "Quynh",
    "Rosa",
    "Sami",
    "Tobias",
    "Ute",
    "Viktor",
    "Wiebke",
    "Yusuf",
    "Zofia",
]
LAST_NAMES = [
    "Schmidt",
    "Nguyen",
    "Müller",
    "Yılmaz",
    "Weber",
    "Kowalska",
    "Becker",
    "Ivanova",
    "Hoffmann",
    "Tran",
    "Krüger",
    "Hassan",
    "Wolf",
    "Petrenko",
    "Lange",
]


@dataclass
class Demo:
    """What the steps share: the cycle, people, proposals by title, offers by key."""

    rng: random.Random
    areas: dict[str, Area]
    staff: dict[str, User]
    resident: User
    residents: list[User]
    cycle: Cycle | None = None
    proposals: dict[str, Proposal] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)


def email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def demo_accounts() -> list[tuple[str, str]]:
    """(e-mail, what it is) of the accounts to try, for the command's output and the README."""
    return [
        (email("admin"), "admin"),
        (email("officer"), "officer (all areas)"),
        (email("officer2"), "second officer (publishes counts, double entry of meeting dots)"),
        (email("fennpfuhl.officer"), "officer limited to Fennpfuhl"),
        (email("resident"), "resident of Fennpfuhl (has not voted)"),
        (email("resident001"), f"... {email(f'resident{GENERATED_RESIDENTS:03d}')}: voters"),
    ]


@contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Services that audit `current_user` see `user` as the one acting (Flask-Login's g)."""
    saved = g.get("_login_user")
    g._login_user = user
    try:
        yield
    finally:
        if saved is None:
            g.pop("_login_user", None)
        else:
            g._login_user = saved


def _area(code: str, name: str) -> Area:
    area = db.session.scalar(sa.select(Area).where(Area.code == code))
    if area is None:
        area = db.session.scalar(sa.select(Area).where(sa.func.lower(Area.name) == name.lower()))
    return area or cycles.create_area(name, code)


def _user(local: str) -> User | None:
    return accounts.find_user_by_email(email(local))


# Complexity: demo data: one branch per kind of person the demo creates.
def make_people(rng: random.Random) -> Demo:
    areas = {code: _area(code, name) for name, code, _budget in data.AREAS}
    for code, area in areas.items():
        if area.population is None:
            cycles.set_area_population(area, data.AREA_POPULATIONS[code])
    check_password_policy(PASSWORD)
    staff: dict[str, User] = {}
    for key, local, name, role, limited in STAFF:
        staff[key] = _user(local) or create_staff_user(
            None, email(local), name, role, [areas[c] for c in limited], PASSWORD
        )
    resident = _user("resident") or accounts.create_user(
        email("resident"), "Rita Resident", PASSWORD, home_area=areas["FEN"]
    )
    codes = [code for _name, code, _budget in data.AREAS]
    missing = [n for n in range(1, GENERATED_RESIDENTS + 1) if _user(f"resident{n:03d}") is None]
    # One argon2id hash for all generated voters (they share the demo password): hashing 90
    # times at production cost would take half a minute. Named accounts use create_user.
    shared_hash = hash_password(PASSWORD) if missing else ""
    for n in missing:
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
        db.session.add(
            User(
                email=email(f"resident{n:03d}"),
                display_name=f"{first} {last}",
                role=Role.RESIDENT,
                password_hash=shared_hash,
                home_area=areas[codes[n % len(codes)]],
            )
        )
    db.session.flush()
    residents = [_user(f"resident{n:03d}") for n in range(1, GENERATED_RESIDENTS + 1)]
    return Demo(rng, areas, staff, resident, residents)  # type: ignore[arg-type]


def by_label(demo: Demo, who: str) -> User:
    """'resident 7' -> resident007."""
    return demo.residents[int(who.split()[1]) - 1]


def minor(euros: int) -> int:
    return euros * 100
