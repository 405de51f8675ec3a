"""Dynamics 365 lead push (seed 003 §2.3): connector (hub), dto + mapping (pure), client (Web API through
the gateway), errors. Core modules never import this package (tests/unit/test_core_freeze.py)."""
from app.integrations.d365.connector import API, Dynamics365Connector

__all__ = ["API", "Dynamics365Connector"]
