"""Where the gateway may send a request (docs/architecture.md "Outbound calls"): `https` only, and never a
private, loopback, link-local or otherwise non-public address, unless the host is listed in
OUTBOUND_ALLOWLIST (the sandbox stand-ins and the tests list 127.0.0.1). Checked on every hop, so a
redirect cannot lead the gateway into the internal network."""

import ipaddress
import socket
from urllib.parse import urlsplit

from app.integrations.errors import DestinationRefused


def resolve_host(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def check_destination(url: str, allowlist, resolve=resolve_host) -> list[str] | None:
    """The vetted addresses to dial (see app/integrations/pinning.py), or None for an allowlisted host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise DestinationRefused("The URL has no host.")
    if host in {h.lower() for h in allowlist}:
        return None  # an operator vouched for this host (sandbox, on-premise proxy): normal resolution
    if parts.scheme != "https":
        raise DestinationRefused(f"Only https destinations are allowed, not {parts.scheme or 'none'}://{host}.")
    if parts.username or parts.password:
        raise DestinationRefused("Credentials in the URL are not allowed; configure them as secrets.")
    try:
        addresses = resolve(host, parts.port or 443)
    except (OSError, UnicodeError):
        raise DestinationRefused(f"The host {host} cannot be resolved.") from None
    if not addresses:
        raise DestinationRefused(f"The host {host} cannot be resolved.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise DestinationRefused(
                f"{host} resolves to a non-public address ({ip}); "
                "add the host to OUTBOUND_ALLOWLIST if this is intended."
            )
    return addresses
