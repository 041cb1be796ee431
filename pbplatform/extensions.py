"""Extension singletons, bound to an app in create_app."""

from typing import TYPE_CHECKING

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
limiter = Limiter(key_func=address_key, default_limits=[])
