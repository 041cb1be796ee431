"""The German catalogue is complete and well-formed, and pages really come out in German.

The catalogue checks read the .po with Babel: nothing untranslated or fuzzy, every
translation keeps the placeholders of its source, and every string the code and templates
mark for translation today is in the catalogue (run `make messages` and translate the new
entries when this fails). The page checks need the compiled catalogue, which `make test`
builds (`make translations`).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "pbplatform" / "translations"
PO = TRANSLATIONS / "de" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

# Named placeholders (%(name)s, %(n)d ...) and the escaped percent sign.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%%")


def _catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="de")


def _forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = _catalogue()
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 900  # the whole application, not a stub
    untranslated = [m.id for m in messages if not all(_forms(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert not catalogue.fuzzy


def test_plural_entries_have_both_german_forms():
    catalogue = _catalogue()
    assert catalogue.num_plurals == 2
    plurals = [m for m in catalogue if m.id and m.pluralizable]
    assert plurals
    for m in plurals:
        assert len(_forms(m.string)) == 2, m.id
        assert all(_forms(m.string)), m.id


def test_every_translation_keeps_the_placeholders_of_its_source():
    problems = []
    for m in _catalogue():
        if not m.id:
            continue
        sources = _forms(m.id)
        wanted = Counter(PLACEHOLDER.findall(sources[0]))
        allowed = set().union(*(PLACEHOLDER.findall(s) for s in sources))
        for i, text in enumerate(_forms(m.string)):
            found = Counter(PLACEHOLDER.findall(text))
            if i == 0 and set(found) != set(wanted) or not set(found) <= allowed:
                problems.append((m.id, text))
    assert not problems


def test_babel_finds_no_format_errors():
    errors = [(m.id, [str(e) for e in errs]) for m, errs in _catalogue().check()]
    assert not errors


def test_every_msgstr_belongs_to_a_msgid():
    """Babel's reader keeps the first of two msgstr lines in a row and drops the second
    silently; GNU msgfmt refuses the file. A stray msgstr is a translation lost in a merge."""
    keyword = re.compile(r"^(msgid|msgid_plural|msgstr(\[\d+\])?|msgctxt)(?=\s)")
    last = ""
    stray = []
    for number, line in enumerate(PO.read_text(encoding="utf-8").splitlines(), 1):
        found = keyword.match(line)
        if not found:
            continue
        if found.group(1) == "msgstr" and not last.startswith("msgid"):
            stray.append((number, line))
        last = found.group(1)
    assert not stray


def test_the_catalogue_covers_every_string_marked_in_the_source():
    keywords = dict(DEFAULT_KEYWORDS, lazy_gettext=None, _l=None)
    method_map = [("pbplatform/**.py", "python"), ("templates/**.html", "jinja2")]
    marked = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, {}, keywords=keywords
    ):
        marked.add(message[0] if isinstance(message, tuple) else message)
    assert len(marked) > 900
    translated = {_forms(m.id)[0] for m in _catalogue() if m.id}
    missing = sorted(marked - translated)
    assert not missing, f"run `make messages` and translate: {missing}"


@pytest.fixture
def german_cycle(make_cycle, make_proposal):
    cycle = make_cycle("proposals")
    proposal = make_proposal(
        cycle, area=cycle.areas[0].area, status="approved", title="Bänke am Teich"
    )
    return cycle, proposal


def _page(client, url: str, **headers) -> str:
    assert MO.exists(), "compile the catalogue first: make translations"
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "german"),
    [
        ("/", ["Bürgerhaushalt", "Anmelden", "Registrieren", "Zum Inhalt springen"]),
        ("/login", ["Passwort vergessen?", "Noch kein Konto?"]),
        ("/register", ["Konto anlegen", "Wohnstadtteil", "Schon registriert?"]),
        ("/proposals", ["Alle Stadtteile", "Alle Themenbereiche", "Reihenfolge"]),
    ],
)
def test_pages_are_german_with_accept_language(client, german_cycle, url, german):
    html = _page(client, url, **{"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert '<html lang="de"' in html
    for text in german:
        assert text in html, (url, text)
    assert "Forgot your password?" not in html
    assert "Skip to content" not in html


def test_english_stays_the_default(client, german_cycle):
    html = _page(client, "/login")
    assert '<html lang="en"' in html
    assert "Forgot your password?" in html


def test_language_switch_wins_over_the_browser(client, german_cycle):
    _cycle, proposal = german_cycle
    client.post("/language", data={"lang": "de"})
    html = _page(client, f"/proposals/{proposal.tracking_number}", **{"Accept-Language": "en"})
    assert '<html lang="de"' in html
    assert "Auf dem Stimmzettel" in html
    assert "Verlauf" in html
    assert "Bruttokosten (Schätzung der Verwaltung)" in html

    client.post("/language", data={"lang": "en"})
    html = _page(client, "/login", **{"Accept-Language": "de"})
    assert "Forgot your password?" in html


def test_form_errors_and_not_found_page_are_german(client, german_cycle):
    client.post("/language", data={"lang": "de"})
    html = client.post("/register", data={"email": "nicht-gültig", "password": "kurz"}).get_data(
        as_text=True
    )
    assert "Geben Sie eine E-Mail-Adresse ein, z. B. name@example.org." in html
    assert "Verwenden Sie mindestens 12 Zeichen." in html
    missing = client.get("/proposals/XX-0000-0000")
    assert missing.status_code == 404
    assert "Seite nicht gefunden" in missing.get_data(as_text=True)


@pytest.mark.parametrize(
    ("value", "chosen"), [(1, 1), ("1.00", 1), (0, 0), (2, 2), ("2.5", 2), (0.5, 2)]
)
def test_ngettext_chooses_by_whole_numbers_and_says_fractions_in_the_plural(value, chosen):
    from pbplatform.i18n import plural_count

    assert plural_count(value) == chosen
