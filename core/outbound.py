"""The outbound policy: which addresses a URL stored in the database may reach, and what a
call to one may carry and bring back.

A catalog admin types vendor and usage-source URLs; the server then calls them with keys from
its own environment. Without this policy that field reaches the cloud metadata service, the
database on 10.x, or a listener that collects the key. So every stored URL is checked when it
is saved (`url_refusal`) and again when the client connects (`OutboundTransport`): the host is
resolved once per client, every address it resolves to must be public (or the host listed in
OUTBOUND_ALLOWED_HOSTS), and the socket goes to the address that was vetted, so a DNS answer
that changes between the check and the call (rebinding) cannot swap it. A redirect never
carries a key to another origin, and no answer is read past OUTBOUND_MAX_BYTES.
"""

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Request headers whose name says they carry a credential (Authorization, x-api-key,
# api-key, Cookie, x-goog-api-key…): such a request never follows a redirect off its origin.
CREDENTIAL_WORDS = ("auth", "key", "token", "secret", "cookie", "session", "signature", "password")
MAX_REDIRECTS = 5
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(httpx.TransportError):
    """The policy refused a call (an address, a redirect, an oversized answer): retrying the
    same call cannot help."""


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (IPv4 and IPv6), in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def ip_literal(host: str) -> Address | None:
    """The address written in a host, in every form the C resolver would connect to: dotted
    IPv4, IPv6 (bracketed or not), and the inet_aton forms (`2130706433`, `0x7f.1`,
    `0177.0.0.1`, `127.1`) that getaddrinfo reads as 127.0.0.1."""
    text = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not text or ":" in text or not text[0].isdigit():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one reaches through (mapped, 6to4, Teredo, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def non_public_kind(ip: Address) -> str | None:
    """Why an address is not on the public internet (loopback, private, link-local…), or None
    for a public one."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and (kind := non_public_kind(embedded)):
            return f"{kind} (inside IPv6)"
    for kind, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-global", not ip.is_global),
    ):
        if flag:
            return kind
    return None


def _normal_host(host: str) -> str:
    return host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


def _allowed_entry(entry: str) -> tuple[str, int | None]:
    """An OUTBOUND_ALLOWED_HOSTS entry as (host, port or None): `host`, `host:port`, `[v6]`,
    `[v6]:port` or a bare IPv6 address."""
    entry = entry.strip()
    host, colon, port = entry.rpartition(":")
    if colon and port.isdigit() and (host.endswith("]") or ":" not in host):
        return _normal_host(host), int(port)
    return _normal_host(entry), None


class AddressPolicy:
    """Resolves and vets each host once for the client that owns it (a job run), so a run of
    a thousand calls to one vendor asks DNS once, and connects only to what it vetted."""

    def __init__(self, *, allowed_hosts: Iterable[str], resolve: Resolver = system_resolve) -> None:
        self.allowed = {_allowed_entry(entry) for entry in allowed_hosts if entry.strip()}
        self.resolve = resolve
        self._vetted: dict[tuple[str, int], list[str] | OutboundRefused] = {}
        self._lock = threading.Lock()

    def is_allowed(self, host: str, port: int) -> bool:
        name = _normal_host(host)
        return (name, None) in self.allowed or (name, port) in self.allowed

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for host:port; raises OutboundRefused when the policy
        refuses it, httpx.ConnectError when it does not resolve (a transient failure)."""
        key = (_normal_host(host), port)
        with self._lock:  # one lookup per host however many threads ask at once
            found = self._vetted.get(key)
            if found is None:
                found = self._vet(host, port)
                self._vetted[key] = found
        if isinstance(found, OutboundRefused):
            raise OutboundRefused(str(found))
        return found

    def _vet(self, host: str, port: int) -> list[str] | OutboundRefused:
        literal = ip_literal(host)
        name = _normal_host(host)
        if literal is None and (name == "localhost" or name.endswith(".localhost")):
            literal = ipaddress.IPv4Address("127.0.0.1")  # RFC 6761, whatever DNS says
        if literal is not None:
            resolved: list[Address] = [literal]
        else:
            try:
                resolved = [
                    ipaddress.ip_address(a.partition("%")[0]) for a in self.resolve(host, port)
                ]
            except (OSError, UnicodeError) as exc:
                raise httpx.ConnectError(f"cannot resolve {host}: {exc}") from None
            if not resolved:
                raise httpx.ConnectError(f"cannot resolve {host}")
        if not self.is_allowed(host, port):
            for ip in resolved:
                if kind := non_public_kind(ip):
                    return OutboundRefused(
                        f"{host} is a {kind} address ({ip}); only public addresses, or hosts "
                        "listed in OUTBOUND_ALLOWED_HOSTS, may be called"
                    )
        return [str(ip) for ip in resolved]


def url_refusal(url: str, *, policy: AddressPolicy) -> str | None:
    """Why the outbound client would refuse this URL (scheme, host, address), or None. A host
    that does not resolve now is not refused here: the connect-time check still holds."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError, UnicodeError):
        return "Enter a valid http(s) URL."
    if parsed.scheme not in ("http", "https"):
        return "Only http and https URLs may be called."
    # The host as the client will look it up: IDNA-encoded (`.host` would decode it).
    host = parsed.raw_host.decode("ascii")
    if not host:
        return "Enter an http(s) URL with a host."
    try:
        policy.addresses(host, parsed.port or (443 if parsed.scheme == "https" else 80))
    except OutboundRefused as exc:
        return str(exc)
    except httpx.ConnectError:
        return None
    return None


class _VettedBackend(httpcore.SyncBackend):
    """Opens sockets only to the addresses the policy vetted for the host (TLS still checks
    the certificate against the host name: httpcore passes it as SNI)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in self.policy.addresses(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None  # addresses() never returns an empty list
        raise failure


class _CappedStream(httpx.SyncByteStream):
    """An answer's body that stops at max_bytes: more is a refusal, not a full memory."""

    def __init__(self, stream: httpx.SyncByteStream, *, max_bytes: int, url: httpx.URL) -> None:
        self.stream, self.max_bytes, self.url = stream, max_bytes, url

    def __iter__(self) -> Iterator[bytes]:
        read = 0
        for chunk in self.stream:
            read += len(chunk)
            if read > self.max_bytes:
                raise OutboundRefused(f"answer from {self.url.host} over {self.max_bytes} bytes")
            yield chunk

    def close(self) -> None:
        self.stream.close()


class OutboundTransport(httpx.HTTPTransport):
    """httpx's transport with the address policy at connect time and the body cap."""

    def __init__(self, *, policy: AddressPolicy, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        assert isinstance(self._pool, httpcore.ConnectionPool)  # no proxy: trust_env is off
        self._pool._network_backend = _VettedBackend(policy)
        self.max_bytes = max_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        length = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        refusal = None
        if length.isdigit() and int(length) > self.max_bytes:
            refusal = f"answer from {request.url.host} over {self.max_bytes} bytes"
        elif encoding not in ("", "identity"):
            # We ask for identity: a compressed answer could expand far past the cap.
            refusal = f"compressed answer ({encoding}) from {request.url.host} refused"
        if refusal:
            response.close()
            raise OutboundRefused(refusal, request=request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, max_bytes=self.max_bytes, url=request.url),
            extensions=response.extensions,
        )


def carries_credential(headers: httpx.Headers) -> bool:
    return any(word in name.lower() for name in headers for word in CREDENTIAL_WORDS)


def refuse_credentials_off_origin(response: httpx.Response) -> None:
    """A response hook: a redirect to another origin (scheme, host, port) is refused while the
    request carries a credential header. httpx drops `Authorization` on such a redirect but
    keeps `x-api-key`, which would hand an Anthropic key to the redirect's target."""
    if not response.has_redirect_location:
        return
    request = response.request
    try:
        target = request.url.join(response.headers["location"])
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise OutboundRefused("redirect to an invalid URL refused", request=request) from None
    same_origin = (target.scheme, target.host, target.port) == (
        request.url.scheme,
        request.url.host,
        request.url.port,
    )
    if not same_origin and carries_credential(request.headers):
        raise OutboundRefused(
            f"redirect from {request.url.host} to another origin refused: the call carries a key",
            request=request,
        )


def policy_client(
    *,
    policy: AddressPolicy,
    max_bytes: int,
    timeout: httpx.Timeout | float,
    limits: httpx.Limits,
    verify: Any,
) -> httpx.Client:
    """An httpx.Client that obeys the policy (core.http.outbound_client fills in settings)."""
    return httpx.Client(
        transport=OutboundTransport(
            policy=policy, max_bytes=max_bytes, limits=limits, verify=verify, trust_env=False
        ),
        timeout=timeout,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        # No proxy variables and no ~/.netrc: netrc would add credentials for matching hosts.
        trust_env=False,
        headers={"Accept-Encoding": "identity"},
        event_hooks={"response": [refuse_credentials_off_origin]},
    )
