"""Meridian: the application factory."""

import logging
import os

from flask import Flask
from flask.sessions import SessionInterface

from app import db_pool
from app.config import INSTANCE_DIR, get_config
from app.extensions import celery, db, jwt, migrate
from app.utils.crypto import load_keyring
from app.utils.kvstore import make_store
from app.web.identity import RequestGlobals

log = logging.getLogger(__name__)

_DEV_DEFAULT_SECRETS = {"dev-secret-key-change-me", "dev-jwt-secret-change-me-at-least-32-bytes"}


class _NoCookieSession(SessionInterface):
    """Meridian keeps no state in Flask's signed-cookie session (sign-in is a JWT, app/web/auth.py), so no request
    opens or writes one: `flask.session` is Flask's null session, which refuses writes."""

    def open_session(self, app, request):
        return None  # Flask then uses make_null_session


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None, instance_path=str(INSTANCE_DIR))
    app.session_interface = _NoCookieSession()
    app.app_ctx_globals_class = RequestGlobals  # the signed-in identity's ORM objects built on first use
    app.config.from_object(get_config(config_name))
    app.config.update(overrides or {})
    _check_production_settings(app)
    os.makedirs(app.instance_path, exist_ok=True)

    from app.utils.observability import configure_logging, init_request_tracking

    configure_logging(app)
    db_pool.engine_options(app)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    jwt.init_app(app)
    app.extensions["kv"] = make_store(app.config["REDIS_URL"])
    app.extensions["crypto"] = load_keyring(app.config, app.instance_path)

    from app import models  # noqa: F401  (register every model)
    from app.integrations.plugins import load_plugins

    # The commit hooks that retire row snapshots must run in every process that writes (web, worker, beat, CLI),
    # whatever else that process happens to import.
    from app.services import api_token_cache, identity_cache, project_cache  # noqa: F401
    from app.services.job_handlers import register_core_handlers
    from app.tasks import init_celery
    from app.utils.errors import register_error_handlers
    from app.web.auth import register_jwt_callbacks

    register_jwt_callbacks(jwt)
    init_celery(app, celery)
    register_core_handlers()
    init_request_tracking(app)
    register_error_handlers(app)
    _register_blueprints(app)
    load_plugins(app)  # integrations: connector kinds, job handlers, their blueprints
    _register_cli(app)
    _enable_sqlite_foreign_keys(app)
    _install_row_level_security(app)
    return app


def _check_production_settings(app: Flask) -> None:
    if app.config["MERIDIAN_ENV"] != "production":
        return
    missing = [name for name in ("SECRET_KEY", "JWT_SECRET_KEY") if app.config[name] in _DEV_DEFAULT_SECRETS]
    if not os.environ.get("DATABASE_URL"):
        missing.append("DATABASE_URL")
    if not app.config.get("ENCRYPTION_KEYS"):
        missing.append("ENCRYPTION_KEYS")
    if missing:
        raise RuntimeError(f"production needs these settings: {', '.join(missing)}")


def _register_blueprints(app: Flask) -> None:
    from app.blueprints import ALL_BLUEPRINTS
    from app.web.http import Int64Converter

    app.url_map.converters["int"] = Int64Converter
    for blueprint in ALL_BLUEPRINTS:
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)


def _install_row_level_security(app: Flask) -> None:
    from app import rls

    with app.app_context():
        db_pool.install(db.engine)
        rls.install(db.engine, app.config["DATABASE_APP_ROLE"], app.config["DATABASE_SYSTEM_ROLE"])


def _enable_sqlite_foreign_keys(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _fk_on(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
