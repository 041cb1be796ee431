"""A person's download: everything the platform holds about them, as JSON plus readable HTML.

`build_export(user)` is the whole generation (one function, so it can move onto a job queue
as is); `create_export(user)` stores its result in the database, where every app server can
serve it, until PRIVACY_EXPORT_TTL_HOURS have passed. It reads the tables through the
registry, so a column declared personal is in the download without further code; rows owned
through another row (a survey answer through its response) come with it, and the registry's
lookups add readable values beside ids (the question an answer answers).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template

from pbplatform.accounts.models import User
from pbplatform.db import utcnow
from pbplatform.extensions import db
from pbplatform.privacy.models import DataExport
from pbplatform.privacy.registry import TABLES, Lookup, Table

NOT_SHOWN = "(stored, not shown: a hash or key)"


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"({len(value)} bytes: an earlier download)"
    return value


def _row(decl: Table, row: sa.RowMapping) -> dict[str, Any]:
    found = {
        column: NOT_SHOWN if column in decl.secret else _value(row[column])
        for column in decl.columns
    }
    found.update({lookup.label: _value(row[lookup.label]) for lookup in decl.lookups})
    return found


def _looked_up(table: sa.Table, lookup: Lookup) -> sa.ScalarSelect[Any]:
    """The lookup's value for the current row of `table`, as a correlated subquery."""
    (first_column, first_table), *rest = lookup.hops
    joined: sa.FromClause = db.metadata.tables[first_table]
    first = last = db.metadata.tables[first_table]
    for column, name in rest:
        target = db.metadata.tables[name]
        joined = joined.join(target, target.c.id == last.c[column])
        last = target
    return (
        sa.select(last.c[lookup.shown])
        .select_from(joined)
        .where(first.c.id == table.c[first_column])
        .scalar_subquery()
    )


def _where(decl: Table, table: sa.Table, user: User) -> sa.ColumnElement[bool]:
    if decl.name == "outbox_messages":  # mail is found by the address it went to
        return table.c.recipient == user.email
    if decl.owner_via is not None:  # rows of the person's rows (answers of their responses)
        via = decl.owner_via
        parent = db.metadata.tables[via.table]
        theirs = sa.select(parent.c.id).where(parent.c[TABLES[via.table].owner_key] == user.id)
        return table.c[via.column].in_(theirs)
    condition = table.c[decl.owner_key] == user.id
    if decl.name == "audit_entries":  # entries by the person and entries about their account
        about = sa.and_(table.c.object_type == "User", table.c.object_id == str(user.id))
        condition = sa.or_(condition, about)
    return condition


def collect(user: User) -> dict[str, list[dict[str, Any]]]:
    """Rows about `user`, per table, with every declared column (secrets masked)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for decl in TABLES.values():
        if not decl.about_a_person and decl.name != "outbox_messages":
            continue
        table = db.metadata.tables[decl.name]
        order = list(table.primary_key.columns)
        looked_up = [_looked_up(table, lookup).label(lookup.label) for lookup in decl.lookups]
        rows = db.session.execute(
            sa.select(table, *looked_up).where(_where(decl, table, user)).order_by(*order)
        )
        found[decl.name] = [_row(decl, row) for row in rows.mappings()]
    found["audit_personal"] = _audit_personal(user)
    return found


def _audit_personal(user: User) -> list[dict[str, Any]]:
    """The personal fields of the person's audit entries, kept apart from the chain."""
    decl, table = TABLES["audit_personal"], db.metadata.tables["audit_personal"]
    entries = db.metadata.tables["audit_entries"]
    theirs = sa.select(entries.c.id).where(_where(TABLES["audit_entries"], entries, user))
    rows = db.session.execute(
        sa.select(table).where(table.c.entry_id.in_(theirs)).order_by(table.c.entry_id)
    )
    return [_row(decl, row) for row in rows.mappings()]


def build_export(user: User) -> bytes:
    """The zip: data.json (machine-readable) and index.html (to read), nothing else."""
    data = {
        "generated_at": utcnow().isoformat(),
        "controller": current_app.config["PRIVACY_CONTROLLER"],
        "notice_version": current_app.config["PRIVACY_NOTICE_VERSION"],
        "note": "Ballots are never linked to voters; participations say only that and how "
        "you voted.",
        "tables": collect(user),
    }
    html = render_template("privacy/export.html", data=data, tables=TABLES)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("index.html", html)
    return buffer.getvalue()


def create_export(user: User) -> DataExport:
    """Build the download now and keep it for the configured time (the one call site of
    build_export: a job queue would run this function instead of the request)."""
    hours = current_app.config["PRIVACY_EXPORT_TTL_HOURS"]
    now = utcnow()
    content = build_export(user)
    # One download per person: a new one replaces the old (which may now be out of date).
    db.session.execute(sa.delete(DataExport).where(DataExport.user_id == user.id))
    export = DataExport(
        user_id=user.id,
        content=content,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(export)
    db.session.flush()
    return export


def start_export(user: User) -> Any:
    """The download as a background job that runs `create_export`; returns the jobs.models.Job
    whose page shows its progress and links the download when it is ready."""
    from pbplatform.jobs.models import JobKind
    from pbplatform.jobs.services import start_job

    return start_job(JobKind.PRIVACY_EXPORT, user)
