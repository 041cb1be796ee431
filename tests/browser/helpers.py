"""Shared steps for the browser journeys: committed scenes, logging in, keyboard, checks.

Scenes are built with the real services and factories inside a request context of the live
app and committed for real, so the server thread sees them. Objects expire at the commit:
return plain values (ids, e-mails, slugs, tracking numbers) from a scene, not models.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
from flask import Flask

from pbplatform.extensions import db
from tests.factories import PASSWORD

_names = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test in the module uses (the live database is module-scoped)."""
    return f"{prefix} {os.getpid() % 1000}-{next(_names)}"


@contextmanager
def committed(app: Flask) -> Iterator[None]:
    """Run factories and services as a request would, then commit for the live server."""
    with app.app_context(), app.test_request_context():
        try:
            yield
            db.session.commit()
        finally:
            db.session.remove()


# Officers' authenticator "apps": (live_url, e-mail) -> (secret, last step used).
_totp: dict[tuple[str, str], tuple[str, int]] = {}
live_apps: dict[str, Flask] = {}  # live_url -> the app it serves (set by conftest.live_url)


def _open_enrolment_link(page, live_url: str, email: str, password: str) -> None:
    """An unenrolled officer needs the mailed single-use link: issue one as an administrator
    would, open it, and log in again (the password alone cannot enrol)."""
    import sqlalchemy as sa

    from pbplatform.accounts.enrolment import issue_enrolment_token
    from pbplatform.accounts.models import User

    with committed(live_apps[live_url]):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        token = issue_enrolment_token(user)
    page.goto(f"{live_url}/login/code/enrol/{token}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _second_factor(page, live_url: str, email: str, password: str = PASSWORD) -> None:
    """Officers and admins: enroll (reading the key off the page, as a person would type it
    into their app) or enter a code computed from the key kept from the enrollment."""
    path = page.url.removeprefix(live_url).split("?")[0]
    if path == "/login/code/setup" and not page.locator("#totp-secret").count():
        _open_enrolment_link(page, live_url, email, password)
    if path == "/login/code/setup":
        secret, last = page.locator("#totp-secret").inner_text().strip(), -1
    elif path == "/login/code":
        secret, last = _totp[(live_url, email)]
    else:
        return
    totp = pyotp.TOTP(secret)
    step = max(totp.timecode(time.time()), last + 1)  # a code is accepted only once
    page.get_by_label("Code").fill(totp.generate_otp(step))
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    _totp[(live_url, email)] = (secret, step)
    keep = page.get_by_role("link", name="I have kept my codes, continue")
    if keep.count():  # after enrolling: the recovery codes, shown once; a person moves on
        with page.expect_navigation():
            keep.click()


def log_in(page, live_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(live_url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    _second_factor(page, live_url, email, password)
    assert page.get_by_role("button", name="Log out").is_visible(), "login failed"


def choose_language(page, lang: str) -> None:
    """The header's language switch, as a person uses it: choose, then press its button."""
    page.select_option("#lang-select", lang)
    with page.expect_navigation():
        page.locator("form.lang button").click()


def tab_until(page, js_predicate: str, limit: int = 120) -> None:
    """Press Tab until `js_predicate` (an expression over `el`, the focused element) holds."""
    check = f"() => {{ const el = document.activeElement; return !!(el && ({js_predicate})); }}"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(check):
            return
    raise AssertionError(f"Tab never reached an element where {js_predicate}")


def tab_to_id(page, element_id: str) -> None:
    tab_until(page, f"el.id === {element_id!r}")


def tab_to_button(page, text: str) -> None:
    tab_until(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === {text!r}")


def press_and_wait(page, key: str = "Enter") -> None:
    """Press a key that submits a form and wait for the new page (not the old one's load)."""
    with page.expect_navigation():
        page.keyboard.press(key)


A11Y_JS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby');
    if (!named) problems.push('no label: ' + el.outerHTML.slice(0, 120));
  }
  for (const el of document.querySelectorAll('button')) {
    if (!el.textContent.trim() && !el.getAttribute('aria-label')) problems.push('unnamed button');
  }
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 elements');
  if (!document.documentElement.lang) problems.push('no lang attribute');
  const ids = {};
  // Several forms on a page each render Flask-WTF's hidden csrf_token with the same id;
  // harmless for hidden inputs (no label points at them), so only visible ids are checked.
  for (const el of document.querySelectorAll('[id]:not(input[type=hidden])')) {
    if (ids[el.id]) problems.push('duplicate id ' + el.id);
    ids[el.id] = true;
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const ref of el.getAttribute('aria-describedby').split(' ')) {
      if (!document.getElementById(ref)) problems.push('aria-describedby to nothing: ' + ref);
    }
  }
  const skip = document.querySelector('a.skip');
  if (!skip) problems.push('no skip link');
  else if (!document.querySelector(skip.getAttribute('href'))) problems.push('skip link target');
  const title = document.title;
  if (!title.trim() || title.includes('<')) problems.push('title: ' + title);
  return problems;
}"""


def assert_accessible(page) -> None:
    """Labels on every input, one h1, `lang` set, a skip link with a target, unique ids,
    named buttons, descriptions that exist, and a plain-text title."""
    page.wait_for_load_state()  # after a click the new document may still be loading
    problems = page.evaluate(A11Y_JS)
    assert problems == [], f"{page.url}: {problems}"


def assert_no_horizontal_scroll(page) -> None:
    page.wait_for_load_state()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


def screenshot(page, name: str) -> None:
    """Full-page screenshot into $PBP_SHOTS (if set), never into the repository."""
    folder = os.environ.get("PBP_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
