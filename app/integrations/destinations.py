"""Where the gateway may send a request (docs/architecture.md "Outbound calls"): `https` only, and never a
private, loopback, link-local or otherwise non-public address, unless the host and port are listed in
OUTBOUND_ALLOWLIST (the sandbox stand-ins and the tests list 127.0.0.1 ports). Checked on every hop, so a
redirect cannot lead the gateway into the internal network."""

import ipaddress
import socket
from urllib.parse import urlsplit

from app.integrations.errors import DestinationRefused

DEFAULT_PORTS = {"https": 443, "http": 80}

# IPv6 forms that carry an IPv4 address inside them. A resolver (or an attacker's DNS record) can answer
# with one of these for an internal IPv4 host; the kernel, a NAT64 gateway or a 6to4 relay then delivers
# the packet to that IPv4, so the embedded address is what must be judged.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix: the IPv4 is the last 32 bits
_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible form, ::a.b.c.d
# Refused whatever they embed: the local-use NAT64 prefix (RFC 8215) puts the IPv4 wherever the site's
# prefix length says, so it cannot be read reliably, and Teredo (RFC 4380) tunnels through a relay to a
# client address that is obfuscated and usually behind a NAT; no service the platform calls lives there.
_NEVER = (ipaddress.ip_network("64:ff9b:1::/48"), ipaddress.ip_network("2001::/32"))


def resolve_host(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped, IPv4-compatible, NAT64, 6to4), or None."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or ip in _COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if ip.is_multicast:
        return False
    if ip.version == 6:
        if any(ip in network for network in _NEVER):
            return False
        inner = embedded_ipv4(ip)
        if inner is not None and not is_public(inner):
            return False
        if ip.ipv4_mapped is not None:
            # ::ffff:a.b.c.d is the IPv4 itself on a dual-stack socket; Python versions disagree on whether
            # the mapped range counts as "global", so the embedded address alone decides.
            return True
    return ip.is_global


def _entry(entry: str) -> tuple[str, str | None]:
    """An OUTBOUND_ALLOWLIST entry as (host, port): `host:port`, `[v6]:port`, `host:*` (any port), or a bare
    host or IPv6 address (port None: only the scheme's default port)."""
    entry = entry.strip().lower()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, (rest[1:] if rest.startswith(":") else (None if not rest else "invalid"))
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, port
    return entry, None


def is_allowlisted(host: str, port: int, scheme: str, allowlist) -> bool:
    for entry in allowlist:
        entry_host, entry_port = _entry(entry)
        if entry_host != host:
            continue
        if entry_port == "*" or entry_port == str(port):
            return True
        if entry_port is None and port == DEFAULT_PORTS[scheme]:
            return True
    return False


def check_destination(url: str, allowlist, resolve=resolve_host) -> list[str] | None:
    """The vetted addresses to dial (the pinning adapter in alm_gateway.py), or None for an allowlisted host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise DestinationRefused("The URL has no host.")
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise DestinationRefused(f"Only https destinations are allowed, not {scheme or 'none'}://{host}.")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise DestinationRefused(f"The URL of {host} has an invalid port.") from None
    if is_allowlisted(host, port, scheme, allowlist):
        return None  # an operator vouched for this host and port (sandbox, on-premise proxy): normal resolution
    if scheme != "https":
        raise DestinationRefused(f"Only https destinations are allowed, not {scheme}://{host}.")
    if parts.username or parts.password:
        raise DestinationRefused("Credentials in the URL are not allowed; configure them as secrets.")
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise DestinationRefused(f"The host {host} cannot be resolved.") from None
    if not addresses:
        raise DestinationRefused(f"The host {host} cannot be resolved.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not is_public(ip):
            shown = f"{ip}, which stands for {embedded_ipv4(ip)}" if ip.version == 6 and embedded_ipv4(ip) else ip
            raise DestinationRefused(
                f"{host} resolves to a non-public address ({shown}); "
                f"add {host}:{port} to OUTBOUND_ALLOWLIST if this is intended."
            )
    return addresses
