"""Language choice: an explicit switch wins, then the browser's Accept-Language."""

from flask import current_app, request, session


def select_locale() -> str | None:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)
