"""The session cookie: Flask's signed cookie, without `Vary: Cookie` on a response that is the
same with or without a session (a published file) when the request brought none.

Flask adds `Vary: Cookie` whenever anything read the session during the request, and the login
hooks read it on every request (accounts' `end_expired_login`, Flask-Login's remember-me
hook), so every response varied on the cookie: a shared cache could not keep an anonymous
download of a published, immutable file for the next reader. A view whose response does not
depend on the session says so (`ignores_session`); for a request that brought no session and
changed none, nothing is then written: no cookie, no `Vary: Cookie`. A request with a session
(signed in) is answered as before, and every other page keeps `Vary: Cookie`.
"""

from __future__ import annotations

from flask import Flask, Response, g
from flask.sessions import SecureCookieSessionInterface, SessionMixin

IGNORES_SESSION = "response_ignores_session"


def ignores_session() -> None:
    """This request's response is the same for every reader, with or without a session."""
    setattr(g, IGNORES_SESSION, True)


class SessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if g.get(IGNORES_SESSION) and not session and not session.modified:
            return  # nothing to store, and nothing in the response came from a session
        super().save_session(app, session, response)
