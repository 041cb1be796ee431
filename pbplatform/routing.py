"""URL converters: the default `int` is bounded, so an id no row can have is a 404.

PostgreSQL's `integer` columns end at 2**31 - 1; a larger number in a URL used to reach the
query and fail there (503 on PostgreSQL, an overflow on SQLite). `create_app` registers
`BoundedIntConverter` as `int` before any route is added, so every `<int:...>` is bounded.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

INT4_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`int` with `max` defaulting to the largest int4 (and never above it)."""

    def __init__(
        self,
        map: Map,  # noqa: A002  (werkzeug's parameter names)
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = None,  # noqa: A002
        signed: bool = False,
    ) -> None:
        bound = INT4_MAX if max is None or max > INT4_MAX else max
        super().__init__(map, fixed_digits, min, bound, signed)
