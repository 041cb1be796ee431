"""Two PostgreSQL roles: an owner that runs migrations, and the application's role.

The owner owns the schema (and so could disable triggers); the application connects as a role
that may read and write the ordinary tables but cannot rewrite history: it may only append
to the audit log, may change its personal rows only into a pseudonym (a trigger checks), and
cannot change or delete a published result version (a trigger checks; only the owner can
lift it). It cannot TRUNCATE anything, and as it owns none of these tables it cannot disable
their triggers. `grant_statements` is what `flask pb grant-app-role` runs, as the owner,
after every `flask db upgrade`; the test set-up runs it too (tests/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection

# Tables the application's role must own. None since the sealed ballot box replaced the
# CLUSTER that scrambled storage order at the close (ballotbox/services.py writes unsealed
# ballots in random order instead), so the app role owns nothing it could ALTER.
APP_OWNED_TABLES: tuple[str, ...] = ()

# What the application may not do beyond reading and appending.
REVOKED = {
    "audit_entries": "UPDATE, DELETE, TRUNCATE",
    "audit_personal": "DELETE, TRUNCATE",
    # a published version's ballots files, built once at publication (results/files.py): the
    # app never rewrites or deletes them (a deleted one would be rebuilt from the ballot
    # tables as they stand; a trigger refuses too, results/models.py)
    "result_files": "UPDATE, DELETE, TRUNCATE",
    "alembic_version": "INSERT, UPDATE, DELETE, TRUNCATE",
}

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(app_role: str, tables: Collection[str]) -> list[str]:
    """SQL (run by the owner, idempotent) that gives `app_role` exactly what the app needs;
    `tables` are the tables that exist (alembic_version only after migrations)."""
    if not ROLE_NAME.match(app_role):
        raise ValueError(f"not a plain role name: {app_role!r}")
    role = f'"{app_role}"'
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
    ]
    statements += [
        f"REVOKE {what} ON {table} FROM {role}"
        for table, what in REVOKED.items()
        if table in tables
    ]
    # A new owner needs CREATE on the schema at the moment of the hand-over, not after it.
    statements.append(f"GRANT CREATE ON SCHEMA public TO {role}")
    statements += [f"ALTER TABLE {t} OWNER TO {role}" for t in APP_OWNED_TABLES if t in tables]
    statements.append(f"REVOKE CREATE ON SCHEMA public FROM {role}")
    return statements
