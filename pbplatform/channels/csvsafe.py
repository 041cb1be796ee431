"""CSV output that spreadsheets cannot turn into formulas (ASVS 1.2.10), for every export.

A cell starting with = + - @ (or a tab / carriage return, which some spreadsheets skip before
reading a formula) is prefixed with a single quote. Quoting follows RFC 4180 (CRLF line ends,
double quotes doubled). Use `csv_text(rows)` or `csv_response(rows, filename)`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The cell as text, neutralised if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A download (attachment) that is never cached; `filename` must be plain ASCII."""
    response = Response(csv_text(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
