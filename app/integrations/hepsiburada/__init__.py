"""Hepsiburada marketplace (developers.hepsiburada.com): HTTP Basic with the merchant id and the service
key ("Servis Anahtarı"), the integrator's username as User-Agent, SIT and production hosts of the
oms-external (orders) and listing-external (listings) services, X-RateLimit-* headers, and the order
webhook Hepsiburada POSTs with Basic auth. Read-only. Sync and storage: app/services/marketplace/."""


def load(app) -> None:
    """Plugin door: make the connector kind known to the integrations hub."""
    from app.integrations.connectors import register
    from app.integrations.hepsiburada.connector import HepsiburadaConnector

    register(HepsiburadaConnector)
