"""Integration blueprints plug into the app here, so core modules never import an integration package
(seed 003 §1 "core freeze"; tests/unit/test_core_freeze.py checks the import direction)."""
import importlib

PLUGIN_BLUEPRINTS = ("app.integrations.d365.routes:bp",)


def plugin_blueprints() -> list:
    blueprints = []
    for target in PLUGIN_BLUEPRINTS:
        module, _, name = target.partition(":")
        blueprints.append(getattr(importlib.import_module(module), name))
    return blueprints
