"""The outbound destination check (app/integrations/destinations.py): IPv6 forms that embed an internal IPv4
address are judged as that address, and OUTBOUND_ALLOWLIST entries name a port as well as a host."""

import pytest

from app.integrations.destinations import check_destination, embedded_ipv4
from app.integrations.errors import DestinationRefused


def _resolving_to(address):
    return lambda host, port: [address]


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 well-known prefix + 127.0.0.1
        "64:ff9b::a00:5",  # NAT64 + 10.0.0.5
        "64:ff9b::a9fe:a9fe",  # NAT64 + 169.254.169.254 (cloud metadata)
        "64:ff9b:1::a00:5",  # local-use NAT64 prefix, refused whatever it embeds
        "64:ff9b:1:a00:5::",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:c0a8:114::",  # 6to4 of 192.168.1.20
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "::127.0.0.1",  # IPv4-compatible
        "::10.0.0.5",
        "::169.254.169.254",
        "::192.168.1.20",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.5",
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, refused whatever it embeds
        "2001:0:5ef5:79fd::1",
    ],
)
def test_an_ipv6_address_embedding_an_internal_ipv4_is_refused(address):
    with pytest.raises(DestinationRefused, match="non-public"):
        check_destination("https://alm.example.test/api", [], _resolving_to(address))


@pytest.mark.parametrize(
    "address",
    ["20.30.40.50", "2606:4700::1111", "64:ff9b::1e28:2832", "2002:1e28:2832::1", "::ffff:20.30.40.50"],
)
def test_public_addresses_pass_in_every_encoding(address):
    assert check_destination("https://alm.example.test/api", [], _resolving_to(address)) == [address]


def test_the_refusal_names_the_embedded_address():
    with pytest.raises(DestinationRefused, match=r"stands for 127\.0\.0\.1"):
        check_destination("https://alm.example.test/api", [], _resolving_to("64:ff9b::7f00:1"))


@pytest.mark.parametrize(
    ("address", "inner"),
    [
        ("64:ff9b::7f00:1", "127.0.0.1"),
        ("2002:c0a8:114::", "192.168.1.20"),
        ("::10.0.0.5", "10.0.0.5"),
        ("::ffff:10.0.0.5", "10.0.0.5"),
        ("2606:4700::1111", None),
    ],
)
def test_embedded_ipv4_reads_each_encoding(address, inner):
    import ipaddress

    found = embedded_ipv4(ipaddress.IPv6Address(address))
    assert (str(found) if found else None) == inner


# -- the allowlist: host and port ------------------------------------------------------------------


def _refuse_dns(host, port):
    raise AssertionError("an allowlisted destination is not vetted")


@pytest.mark.parametrize(
    ("url", "allowlist"),
    [
        ("http://127.0.0.1:8701/api", ["127.0.0.1:8701"]),
        ("http://127.0.0.1:8701/api", ["10.0.0.1:8701", "127.0.0.1:8701"]),
        ("http://[::1]:8701/api", ["[::1]:8701"]),
        ("http://127.0.0.1:49152/api", ["127.0.0.1:*"]),
        ("https://proxy.corp.internal/api", ["proxy.corp.internal"]),  # bare host: the scheme's default port
        ("http://proxy.corp.internal/api", ["Proxy.Corp.Internal"]),
        ("https://[fd00::5]/api", ["fd00::5"]),
    ],
)
def test_an_allowlisted_host_and_port_is_allowed(url, allowlist):
    assert check_destination(url, allowlist, _refuse_dns) is None


@pytest.mark.parametrize(
    ("url", "allowlist"),
    [
        ("http://127.0.0.1:6379/", ["127.0.0.1:8701"]),  # the sandbox's entry does not open Redis
        ("http://127.0.0.1:6379/", ["127.0.0.1"]),  # a bare host means port 80/443, not every port
        ("https://proxy.corp.internal:8443/api", ["proxy.corp.internal"]),
        ("http://127.0.0.1:8701/api", ["127.0.0.1:abc"]),  # a malformed entry matches nothing
        ("http://[::1]:8701/api", ["[::1]8701"]),
        ("http://127.0.0.1:8701/api", ["127.0.0.1:"]),
        ("ftp://127.0.0.1:8701/api", ["127.0.0.1:*"]),  # only http(s), allowlisted or not
    ],
)
def test_other_ports_of_an_allowlisted_host_are_refused(url, allowlist):
    with pytest.raises(DestinationRefused):
        check_destination(url, allowlist, _resolving_to("127.0.0.1"))


@pytest.mark.parametrize("url", ["https://alm.example.test:99999/api", "https://alm.example.test:x/api"])
def test_an_invalid_port_is_refused_not_an_error(url):
    with pytest.raises(DestinationRefused, match="invalid port"):
        check_destination(url, [], _resolving_to("20.30.40.50"))
