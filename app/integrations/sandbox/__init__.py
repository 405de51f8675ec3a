"""Local stand-ins for SAP Cloud ALM and Dynamics 365 (docs/architecture.md "Embedded default and real services"):
real paths, status codes, headers and error bodies, on loopback, with switchable faults. Standard library
only (http.server); `flask --app wsgi sandbox` runs them, tests start them on ephemeral ports."""

from app.integrations.sandbox.cloud_alm import CloudALMSandbox
from app.integrations.sandbox.d365 import Dynamics365Sandbox
from app.integrations.sandbox.hepsiburada import HepsiburadaSandbox
from app.integrations.sandbox.trendyol import TrendyolSandbox

__all__ = ["CloudALMSandbox", "Dynamics365Sandbox", "HepsiburadaSandbox", "TrendyolSandbox"]
