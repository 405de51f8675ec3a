"""Dynamics 365 lead push (seed 003 §2): everything of this integration lives in this package — the
connector (hub), dto + mapping (pure), client (Web API through the gateway), errors, metrics, the push
service and its routes. Core modules never import it (tests/unit/test_core_freeze.py); the app reaches it
only through `load(app)`, the plugin door."""


def load(app) -> None:
    """Register the connector kind, the push job's handler and the /api/v1/d365 routes."""
    from app.integrations.connectors import register
    from app.integrations.d365 import push
    from app.integrations.d365.connector import Dynamics365Connector
    from app.integrations.d365.routes import bp
    from app.services import job_service

    register(Dynamics365Connector)
    job_service.register_handler(push.JOB_KIND, push.run_push)
    app.register_blueprint(bp)
