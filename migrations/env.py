import logging
from logging.config import fileConfig

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
# create_app() has already configured logging (JSON to stderr) when a handler is on the root logger;
# fileConfig would replace it (and pytest's capture handlers) and disable every existing logger.
if not logging.getLogger().handlers:
    fileConfig(config.config_file_name)
logger = logging.getLogger('alembic.env')


def get_engine():
    # Flask-SQLAlchemy>=3 (get_engine() is deprecated there and warns); Meridian pins 3.x.
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    """Render Meridian's column types as plain SQLAlchemy/dialect types, so a migration never imports
    app code (it must keep working after the models change):

    - app.models.types.UTCDateTime -> sa.DateTime(timezone=True)
    - app.models.types.JSONDocument -> sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')

    Any other TypeDecorator defined in app code is refused: add its rendering here.
    """
    if type_ != "type":
        return False
    if isinstance(obj, TypeDecorator) and type(obj).__module__.startswith("app."):
        impl = obj.impl_instance
        if isinstance(impl, sa.DateTime):
            return f"sa.DateTime(timezone={impl.timezone!r})"
        raise NotImplementedError(
            f"migrations/env.py render_item: no plain rendering for {type(obj).__module__}."
            f"{type(obj).__name__}; add one")
    if isinstance(obj, sa.JSON) and getattr(obj, "_variant_mapping", None):
        variants = obj._variant_mapping
        if set(variants) == {"postgresql"} and isinstance(variants["postgresql"], postgresql.JSONB):
            autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
            return "sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')"
    return False


def _configure_args():
    """Flask-Migrate's configure args (from migrate.init_app), with the house options always on:
    compare column types, render SQLite-safe batch operations, render custom types as plain ones."""
    conf_args = dict(current_app.extensions['migrate'].configure_args)
    conf_args["compare_type"] = True
    conf_args["render_as_batch"] = True
    conf_args.setdefault("render_item", render_item)
    return conf_args


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    conf_args = {k: v for k, v in _configure_args().items() if k != "process_revision_directives"}
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True, **conf_args
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = _configure_args()
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        # Migrations run as the schema owner: no app role, no row-level-security settings (app/rls.py).
        connection.execution_options(meridian_owner=True)
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
