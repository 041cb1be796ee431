"""Text safe to open in a spreadsheet: a cell that starts like a formula is neutralised.

Spreadsheets run a cell starting with = + - @ (or a tab or carriage return before one) as a
formula; OWASP's advice is to prefix such a cell with an apostrophe, which shows it as text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
