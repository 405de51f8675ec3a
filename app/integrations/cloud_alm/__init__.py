"""SAP Cloud ALM (seed 000 Phase B): OAuth2 client credentials on SAP BTP, then the Tasks and Test
Management APIs. `connector.py` declares the connection, `client.py` wraps the API calls and `mapping.py`
translates records; the push/pull services live in app/services/cloud_alm/ because Explore and testing
(core screens) drive them."""


def load(app) -> None:
    """Plugin door: make the connector kind known to the integrations hub."""
    from app.integrations.cloud_alm.connector import CloudALMConnector
    from app.integrations.connectors import register

    register(CloudALMConnector)
