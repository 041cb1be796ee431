"""Verifying the audit chain: links, hashes, HMACs, personal rows, and heads seen elsewhere.

A head (`ID:HASH`) is the newest entry at some moment, kept outside the database: in each
published result version, in a checkpoint file, or given on the command line. The chain
alone cannot show that its newest entries were deleted; a head that is no longer in it can.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from pbplatform.audit import chain
from pbplatform.audit.models import AuditEntry, AuditPersonal
from pbplatform.extensions import db

HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Head:
    id: int
    hash: str

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """`ID:HASH` as printed by `flask pb audit head`; ValueError otherwise."""
        ident, _, digest = text.strip().partition(":")
        digest = digest.lower()
        if not ident.isdigit() or len(digest) != 64 or not set(digest) <= HEX:
            raise ValueError(f"not an audit head (ID:HASH with 64 hex digits): {text.strip()!r}")
        return cls(int(ident), digest)


@dataclass(frozen=True)
class Report:
    """`checked` entries verified; `breaks` every (entry id, reason) that did not, in chain
    order (a missing recorded head last); `bad_id`/`reason` name the first break."""

    checked: int
    head: Head | None
    breaks: tuple[tuple[int, str], ...] = ()

    @property
    def bad_id(self) -> int | None:
        return self.breaks[0][0] if self.breaks else None

    @property
    def reason(self) -> str:
        return self.breaks[0][1] if self.breaks else ""

    @property
    def ok(self) -> bool:
        return not self.breaks


def _personal_fault(entry: AuditEntry) -> str:
    personal: AuditPersonal | None = entry.personal
    if personal is None:
        return _("its personal fields are missing")
    fields = chain.personal_fields(personal.actor_label, personal.ip, personal.data)
    if not chain.equal(personal.mac, chain.personal_mac(entry.id, personal.pseudonymised, fields)):
        return _("its personal fields were altered (HMAC)")
    if personal.pseudonymised:
        return ""
    if personal.salt is None or not chain.equal(
        entry.personal_digest, chain.personal_digest(personal.salt, fields)
    ):
        return _("its personal fields do not match the chain")
    return ""


def _fault(entry: AuditEntry, prev: str) -> str:
    """Why the entry does not verify, or "" if it does."""
    if entry.prev_hash != prev:
        return _("it does not link to the entry before it (an entry was removed or inserted)")
    digest = chain.entry_hash(entry)
    if not chain.equal(digest, entry.entry_hash):
        return _("its content does not match its hash (the entry was changed)")
    if not chain.equal(entry.entry_mac, chain.entry_mac(digest)):
        return _("its HMAC does not verify (the chain was rewritten and re-hashed)")
    return _personal_fault(entry)


def check_chain(heads: Iterable[Head] = ()) -> Report:
    """Walk the whole chain in id order; every head given must still be in it, unchanged."""
    wanted: dict[int, set[str]] = {}
    for head in heads:
        wanted.setdefault(head.id, set()).add(head.hash)
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .options(joinedload(AuditEntry.personal))
        .order_by(AuditEntry.id)
        .execution_options(yield_per=500)
    )
    try:
        return _walk(entries, wanted)
    finally:
        entries.close()  # a server-side cursor on PostgreSQL, left open by an early return


def _walk(entries: Iterable[AuditEntry], wanted: dict[int, set[str]]) -> Report:
    """Check every entry, going on past a break (each next entry is checked against the hash
    stored in the one before it), so one run names every break, not just the first."""
    prev, checked, last = chain.GENESIS, 0, None
    breaks: list[tuple[int, str]] = []
    for entry in entries:
        fault = _fault(entry, prev)
        if not fault and any(h != entry.entry_hash for h in wanted.pop(entry.id, ())):
            fault = _("it is not the entry a recorded head names (the log was rewritten)")
        wanted.pop(entry.id, None)
        if fault:
            breaks.append((entry.id, fault))
        else:
            checked += 1
        prev, last = entry.entry_hash, Head(entry.id, entry.entry_hash)
    for gone in sorted(wanted):
        breaks.append(
            (
                gone,
                _(
                    "entry %(id)s, a recorded head, is missing: the newest entries were deleted",
                    id=gone,
                ),
            )
        )
    return Report(checked, last, tuple(breaks))
