"""Trendyol marketplace (developers.trendyol.com, seller integration): HTTP Basic with the seller's API
key and secret, the seller id in every path, the "<sellerId> - SelfIntegration" User-Agent. Read-only:
products (filterProducts) and shipment packages (getShipmentPackages, getShipmentPackagesStream). The
sync, storage and monitoring live in app/services/marketplace/."""


def load(app) -> None:
    """Plugin door: make the connector kind known to the integrations hub."""
    from app.integrations.connectors import register
    from app.integrations.trendyol.connector import TrendyolConnector

    register(TrendyolConnector)
