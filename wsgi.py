"""Lets `flask` find the app when run from the checkout without FLASK_APP or --app (Flask
looks for wsgi.py in the working directory and calls its `create_app`), so the README's
commands work as written in a fresh shell. Servers can use `wsgi:create_app()`."""

from pbplatform import create_app

__all__ = ["create_app"]
