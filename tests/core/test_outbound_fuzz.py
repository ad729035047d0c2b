"""Property-based tests of the outbound address check: every way of writing a private address
in a URL is refused, every way of writing a public one is allowed.

Forms covered: IPv4 dotted, decimal (`http://2130706433/`), hex (`0x7f000001`), dotted hex
(`0x7f.0.0.1`), octal (`0177.0.0.1`), short (`127.1`, `0x7f.1`); IPv6 literals (loopback,
unspecified, link-local, unique-local, multicast), IPv4-mapped (`::ffff:127.0.0.1`), NAT64 and
6to4 around a private IPv4; names resolving to either (with a fake resolver: no DNS, no
internet), in any letter case, with a trailing dot, and IDNA names (`bücher.example`);
`user@` and `user:password@` in front of the host, with a decoy host of the other kind inside
the user part; `#@decoy` and `?@decoy` right after the host (the real host is what counts);
explicit ports; http and https in any case.

`make test` runs the short profile; HYPOTHESIS_PROFILE=fuzz runs 20,000 examples.
"""

import ipaddress
import os
import socket

import httpx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.outbound import AddressPolicy, url_refusal

settings.register_profile(
    "outbound-fast", max_examples=200, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.register_profile(
    "outbound-fuzz", max_examples=20_000, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
PROFILE = settings.get_profile(
    "outbound-fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "outbound-fast"
)

PRIVATE_V4 = [ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
    "0.0.0.0/8", "100.64.0.0/10", "224.0.0.0/4", "240.0.0.0/4", "198.18.0.0/15",
)]  # fmt: skip
PUBLIC_V4 = [ipaddress.ip_network(n) for n in (
    "8.8.0.0/16", "93.184.216.0/24", "1.1.1.0/24", "151.101.0.0/16", "104.16.0.0/13",
    "52.0.0.0/11",
)]  # fmt: skip
PRIVATE_V6 = [ipaddress.ip_network(n) for n in (
    "::1/128", "::/128", "fe80::/10", "fc00::/7", "ff00::/8",
)]  # fmt: skip
PUBLIC_V6 = [ipaddress.ip_network(n) for n in (
    "2001:4860::/32", "2606:4700::/32", "2a00:1450::/32",
)]  # fmt: skip

# Names the fake resolver knows, by the IDNA form the client looks up.
PUBLIC_NAMES = {
    "api.vendor.example": ["93.184.216.34"],
    "xn--bcher-kva.example": ["151.101.1.1"],  # bücher.example
    "status.example.com": ["8.8.4.4", "2001:4860::8888"],
}
PRIVATE_NAMES = {
    "internal.corp.example": ["10.1.2.3"],
    "xn--mnchen-3ya.corp": ["192.168.7.7"],  # münchen.corp
    "metadata.example": ["169.254.169.254"],
    "sneaky.example": ["93.184.216.34", "127.0.0.1"],  # one private answer is enough
    "six.example": ["fd12::1"],
}
SHOWN = {"xn--bcher-kva.example": "bücher.example", "xn--mnchen-3ya.corp": "münchen.corp"}


def fake_resolve(host: str, port: int) -> list[str]:
    name = host.lower().rstrip(".")
    found = PUBLIC_NAMES.get(name) or PRIVATE_NAMES.get(name)
    if found is None:
        raise socket.gaierror(socket.EAI_NONAME, "unknown to the test resolver")
    return found


def addresses_in(
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> st.SearchStrategy:
    return st.sampled_from(networks).flatmap(
        lambda net: st.integers(0, net.num_addresses - 1).map(
            lambda offset: net.network_address + offset
        )
    )


def ipv4_forms(ip: ipaddress.IPv4Address) -> st.SearchStrategy[str]:
    """The ways inet_aton (and so the C resolver) reads an IPv4 address."""
    a, b, c, d = ip.packed
    n = int(ip)
    return st.sampled_from([
        str(ip), str(n), hex(n), f"{hex(a)}.{b}.{c}.{d}", f"0{a:o}.{b}.{c}.{d}",
        f"{a}.{(b << 16) | (c << 8) | d}", f"{hex(a)}.{(b << 16) | (c << 8) | d}",
        f"{a}.{b}.{(c << 8) | d}",
    ])  # fmt: skip


def v6_host(ip: ipaddress.IPv6Address) -> str:
    return f"[{ip.compressed}]"


def embedded_private_v6(v4: ipaddress.IPv4Address) -> st.SearchStrategy[str]:
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(v4))
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(v4) << 80) | 1)
    return st.sampled_from([v6_host(mapped), f"[::ffff:{v4}]", v6_host(nat64), v6_host(sixtofour)])


def name_forms(ascii_name: str) -> st.SearchStrategy[str]:
    shown = SHOWN.get(ascii_name, ascii_name)
    return st.sampled_from([ascii_name, shown, ascii_name.upper(), f"{ascii_name}.", f"{shown}."])


private_hosts = st.one_of(
    addresses_in(PRIVATE_V4).flatmap(ipv4_forms),
    addresses_in(PRIVATE_V6).map(v6_host),
    addresses_in(PRIVATE_V4).flatmap(embedded_private_v6),
    st.sampled_from(sorted(PRIVATE_NAMES)).flatmap(name_forms),
)
public_hosts = st.one_of(
    addresses_in(PUBLIC_V4).flatmap(ipv4_forms),
    addresses_in(PUBLIC_V6).map(v6_host),
    st.sampled_from(sorted(PUBLIC_NAMES)).flatmap(name_forms),
)


@st.composite
def urls(draw: st.DrawFn, hosts: st.SearchStrategy[str], decoys: st.SearchStrategy[str]) -> str:
    """A URL whose real host is drawn from `hosts`; a decoy of the other kind may sit in the
    user part or after a `#` or `?` that ends the authority."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(hosts)
    decoy = draw(decoys)
    user = draw(st.sampled_from(["", "user@", "user:pw@", f"{decoy}@", f"{decoy}:80@"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", f":{draw(st.integers(1, 65535))}"]))
    tail = draw(st.sampled_from(["", "/", "/v1", f"#@{decoy}", f"?@{decoy}", f"/#@{decoy}"]))
    return f"{scheme}://{user}{host}{port}{tail}"


def parses(url: str) -> bool:
    try:
        httpx.URL(url)
    except httpx.InvalidURL:
        return False
    return True


def refusal(url: str) -> str | None:
    return url_refusal(url, policy=AddressPolicy(allowed_hosts=[], resolve=fake_resolve))


@settings(PROFILE)
@given(urls(private_hosts, public_hosts))
def test_every_form_of_a_private_address_is_refused(url):
    assert refusal(url) is not None, url


@settings(PROFILE)
@given(urls(public_hosts, private_hosts))
def test_every_form_of_a_public_address_is_allowed(url):
    # A form httpx itself cannot parse (an octet with a leading 0) is refused as invalid
    # whatever it names: the client could not call it either.
    assume(parses(url))
    assert refusal(url) is None, url


@settings(PROFILE)
@given(urls(private_hosts, public_hosts))
def test_a_private_host_listed_in_outbound_allowed_hosts_is_allowed(url):
    assume(parses(url))
    host = httpx.URL(url).raw_host.decode()
    policy = AddressPolicy(allowed_hosts=[host], resolve=fake_resolve)
    assert url_refusal(url, policy=policy) is None, url


def test_the_forms_named_in_the_issue_are_refused():
    for url in [
        "http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/",
        "http://[::ffff:127.0.0.1]/", "http://[::1]:8000/", "http://169.254.169.254/latest",
        "http://api.vendor.example@127.0.0.1/", "http://127.0.0.1#@api.vendor.example/",
        "http://127.0.0.1?@api.vendor.example/", "http://LOCALHOST./", "ftp://api.vendor.example/",
        "file:///etc/passwd", "gopher://127.0.0.1:6379/",
    ]:  # fmt: skip
        assert url_refusal(url, policy=AddressPolicy(allowed_hosts=[])) is not None, url
