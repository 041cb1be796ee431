"""A word-level difference between two texts, as escaped HTML with <del> and <ins>."""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup, escape

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
# Word matching costs about len(a) x len(b) steps in the worst case; above this the page shows
# the changed lines whole (attack 2026-12-07: two 5,000-word texts took 74 s of one worker).
WORD_BUDGET = 200_000


def word_diff(old: str, new: str) -> Markup:
    """Removed words in <del>, added ones in <ins>, line by line; a pair of changed lines is
    compared word by word only while that stays cheap."""
    a_lines, b_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if len(a_lines) * len(b_lines) > WORD_BUDGET:  # thousands of lines: the two texts whole
        a_lines, b_lines = [old], [new]
    out: list[Markup] = []
    matcher = difflib.SequenceMatcher(a=a_lines, b=b_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a_text, b_text = "".join(a_lines[i1:i2]), "".join(b_lines[j1:j2])
        if op == "equal":
            out.append(escape(a_text))
        elif op == "replace" and _cheap(a_text, b_text):
            out.append(_words(a_text, b_text))
        else:
            if a_text:
                out.append(Markup("<del>{}</del>").format(a_text))
            if b_text:
                out.append(Markup("<ins>{}</ins>").format(b_text))
    return Markup("").join(out)


def _cheap(a_text: str, b_text: str) -> bool:
    return len(_TOKENS.findall(a_text)) * len(_TOKENS.findall(b_text)) <= WORD_BUDGET


def _words(old: str, new: str) -> Markup:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[Markup] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            out.append(Markup("<del>{}</del>").format("".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(Markup("<ins>{}</ins>").format("".join(b[j1:j2])))
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
    return Markup("").join(out)
