"""Progress messages are stored as keys and translated when shown: the worker has no locale."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "starting": _l("Starting"),
    "counting": _l("Counting the ballots"),
    "collecting": _l("Collecting your data"),
    "building": _l("Building the open data"),
    "retrying": _l("Trying again after an interruption"),
    "unsealing": _l("Opening the ballot box"),
    "storing": _l("Storing the ballots in random order"),
    "checking": _l("Checking the rows"),
    "sealing": _l("Sealing and storing the ballots"),
    "mailing": _l("Writing the e-mails"),
}


def message_label(key: str | None) -> str:
    if not key:
        return ""
    return str(MESSAGES.get(key, ""))
