"""Language choice: an explicit switch wins, then the browser's Accept-Language."""

from decimal import Decimal

from flask import current_app, has_request_context, request, session


def select_locale() -> str | None:
    if not has_request_context():
        return None  # CLI commands and jobs use the default locale
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)


def plural_count(value: float | Decimal | int | str) -> int:
    """The number ngettext chooses a form by (it wants an integer): a whole number as it is,
    a fraction as 2, since English and German say "1.5 hours", "1,5 Stunden" (CLDR "other")."""
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else 2
