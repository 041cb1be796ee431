"""Language choice: an explicit switch wins, then the browser's Accept-Language."""

from flask import current_app, has_request_context, request, session


def select_locale() -> str | None:
    if not has_request_context():
        return None  # CLI commands and jobs use the default locale
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)
