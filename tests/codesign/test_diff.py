"""The amendment page's word difference: escaped, and bounded in cost (attack 2026-12-07:
two long texts made one page take 74 s of CPU)."""

from __future__ import annotations

import time

from pbplatform.codesign.diff import word_diff


def test_words_are_compared_and_escaped():
    assert str(word_diff("Six <b>benches</b>", "Ten <b>benches</b>")) == (
        "<del>Six</del><ins>Ten</ins> &lt;b&gt;benches&lt;/b&gt;"
    )


def test_long_texts_fall_back_to_whole_lines_quickly():
    old = "We would like new benches with backrests and shade trees at the pond. " * 140
    new = "a " * 5000
    started = time.process_time()
    html = str(word_diff(old, new))
    assert time.process_time() - started < 2  # was over a minute
    assert html.startswith("<del>We would like")
    assert "<ins>a a a" in html


def test_many_lines_fall_back_to_the_whole_texts_quickly():
    started = time.process_time()
    html = str(word_diff("x\n" * 5000, "y\n" * 5000))
    assert time.process_time() - started < 2
    assert html.startswith("<del>x")
    assert "<ins>y" in html
