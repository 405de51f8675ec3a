"""Extension singletons, bound to the app in create_app()."""

from celery import Celery
from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from app.tenancy import TenantSession
from app.utils.jwt_manager import RememberingJWTManager

# Stable constraint names, so migrations are reviewable and identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION), session_options={"class_": TenantSession})
migrate = Migrate()
jwt = RememberingJWTManager()
celery = Celery("meridian")


class _StoreProxy:
    """`kv` is the current app's key-value store: Redis when REDIS_URL is set, in-process otherwise.
    Per app (not global), so two apps in one process never share or swap stores."""

    def __getattr__(self, name):
        return getattr(current_app.extensions["kv"], name)


kv = _StoreProxy()
