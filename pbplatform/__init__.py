"""pbplatform: participatory budgeting and co-commissioning for councils."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the tally command imports this package and must not pay for Flask
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "testing", "production")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides settings (tests pass theirs here)."""
    from flask import Flask

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    load_config(app, config)
    from pbplatform.routing import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route: ids fit int4
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_hooks(app)
    register_commands(app)
    register_shellcontext(app)
    return app


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    overrides = dict(overrides or {})
    env = overrides.pop("ENV_NAME", None) or os.environ.get("PBP_ENV", "development")
    if overrides.get("TESTING"):
        env = "testing"
    if env not in ENVIRONMENTS:
        raise RuntimeError(f"PBP_ENV must be one of {ENVIRONMENTS}, not {env!r}")
    app.config.from_pyfile(str(ROOT / "config" / "default.py"))
    app.config.from_pyfile(str(ROOT / "config" / f"{env}.py"))
    app.config.from_mapping(overrides)
    app.config["ENV_NAME"] = env
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    if not app.config.get("FILE_CACHE_DIR"):
        app.config["FILE_CACHE_DIR"] = str(Path(app.instance_path) / "file-cache")


def register_extensions(app: Flask) -> None:
    from pbplatform import models  # noqa: F401  (every table known before use)
    from pbplatform.db import ping_when_idle
    from pbplatform.extensions import babel, csrf, db, limiter, login_manager, migrate
    from pbplatform.i18n import select_locale
    from pbplatform.security.ratelimit import configure_fallback

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine, app.config["DB_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "pbplatform" / "translations"),
    )
    configure_fallback(app)  # what limits do while Redis is down (security/ratelimit.py)
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    from pbplatform.accounts.views import bp as accounts
    from pbplatform.audit.views import bp as audit
    from pbplatform.channels.views import bp as channels
    from pbplatform.codesign.views import bp as codesign
    from pbplatform.coproduction.views import bp as coproduction
    from pbplatform.cycles.views import bp as cycles
    from pbplatform.dashboard.views import bp as dashboard
    from pbplatform.decisions.views import bp as decisions
    from pbplatform.delivery.views import bp as delivery
    from pbplatform.discussion.views import bp as discussion
    from pbplatform.jobs.views import bp as jobs
    from pbplatform.main.views import bp as main
    from pbplatform.meetings.views import bp as meetings
    from pbplatform.moderation.views import bp as moderation
    from pbplatform.notifications.views import bp as notifications
    from pbplatform.privacy.views import bp as privacy
    from pbplatform.proposals.views import bp as proposals
    from pbplatform.results.views import bp as results
    from pbplatform.surveys.views import bp as surveys
    from pbplatform.voting.views import bp as voting

    for blueprint in (
        main,
        accounts,
        cycles,
        proposals,
        moderation,
        voting,
        results,
        audit,
        coproduction,
        channels,
        privacy,
        dashboard,
        jobs,
        notifications,
        discussion,
        codesign,
        meetings,
        delivery,
        decisions,
        surveys,
    ):
        app.register_blueprint(blueprint)
    from pbplatform.api.tokens import bp as api_tokens
    from pbplatform.api.views import bp as api

    app.register_blueprint(api, url_prefix="/api/v1")
    app.register_blueprint(api_tokens)


def register_errorhandlers(app: Flask) -> None:
    from pbplatform.errors import register_errorhandlers as register
    from pbplatform.security.ratelimit import register_storage_errors

    register(app)
    register_storage_errors(app)


def register_hooks(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from pbplatform.security.access import enforce_declared_access
    from pbplatform.security.headers import set_security_headers
    from pbplatform.security.input import refuse_nul_bytes
    from pbplatform.security.sessions import SessionInterface
    from pbplatform.templating import register_template_helpers
    from pbplatform.transaction import register_transaction_handling

    hops = app.config["PROXY_HOPS"]
    if hops:
        # Trust exactly the proxies we run, so X-Forwarded-For cannot be spoofed past them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.session_interface = SessionInterface()  # no Vary: Cookie on public files
    app.before_request(refuse_nul_bytes)
    app.before_request(enforce_declared_access)
    register_transaction_handling(app)
    app.after_request(set_security_headers)
    register_template_helpers(app)


def register_commands(app: Flask) -> None:
    from pbplatform.cli import pb

    app.cli.add_command(pb)


def register_shellcontext(app: Flask) -> None:
    from pbplatform import models
    from pbplatform.extensions import db

    app.shell_context_processor(lambda: {"db": db, "models": models})
