"""Helpers for API tests: tokens made through the service, bearer headers, scenes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.api.services import create_token
from pbplatform.extensions import limiter
from tests.sealed import unseal_all


def bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def make_token(db):
    def make(user: User, name: str = "test app") -> str:
        return create_token(user, name)[1]

    return make


@pytest.fixture
def count_rows(db):
    def count(model: Any, *where: Any) -> int:
        unseal_all()  # ballots are sealed while voting is open (tests.sealed)
        db.session.expire_all()
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    return count


@pytest.fixture
def rate_limits(app) -> Iterator[None]:
    """Turn the limiter on for one test (the testing config switches it off)."""
    limiter.enabled = True
    limiter.reset()
    try:
        yield
    finally:
        limiter.reset()
        limiter.enabled = False


@pytest.fixture
def statements(app) -> Iterator[list[str]]:
    """SQL statements run while the test is inside the block (for N+1 checks)."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):  # noqa: ANN001
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", listen)
