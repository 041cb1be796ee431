"""Extension singletons, bound to an app in create_app."""

from typing import TYPE_CHECKING

from flask import Blueprint, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from pbplatform.db import Base
from pbplatform.security.addresses import address_key

db = SQLAlchemy(model_class=Base)

# Models subclass `Model`: at run time Flask-SQLAlchemy's `db.Model`, for the type checker the
# declarative base it is built on (mypy cannot see through `db.Model`, an attribute).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class _Limiter(Limiter):
    """Flask-Limiter, which lets the requests of a blueprint that counts its own limits (the
    API: api/views.py) through at once: even a blueprint it exempts costs it a lookup of
    every limit on each request."""

    counting_themselves: set[str] = set()

    def counts_itself(self, blueprint: Blueprint) -> None:
        self.counting_themselves.add(blueprint.name)

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if in_middleware and request.blueprint in self.counting_themselves:
            return
        super()._check_request_limit(callable_name, in_middleware)


limiter = _Limiter(key_func=address_key, default_limits=[])
