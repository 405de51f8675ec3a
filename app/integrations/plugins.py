"""The plugin door: integration packages plug into the app here and nowhere else, so core modules never
import an integration package (seed 003 §1 "core freeze"; tests/unit/test_core_freeze.py checks the import
direction). Each package named below exposes `load(app)`, which registers what it brings: its connector
kind, its job handlers, its blueprint. Both the web app and the Celery worker build the app with
create_app(), so both load the same plugins."""

import importlib

PLUGINS = (
    "app.integrations.cloud_alm",
    "app.integrations.d365",
    "app.integrations.trendyol",
    "app.integrations.hepsiburada",
)


def load_plugins(app, names=PLUGINS) -> None:
    for name in names:
        importlib.import_module(name).load(app)
