"""Addresses nursery software gives us: OAuth redirect addresses and webhook endpoints.

A webhook address is somewhere *our* servers post to, so a careless check lets anyone with an
API client make the service call its own network (server-side request forgery): the cloud's
metadata service, an admin port, a database. The rules, parsed properly rather than by prefix:

- ``https://`` only; in development and test also ``http://`` to this machine (127.0.0.0/8,
  ``[::1]``, ``localhost``) so nursery software can be tried locally. Production allows no
  loopback address at all.
- No user name or password, no fragment, a real port, a host that is a well-formed DNS name
  or an IP address; nothing but printable ASCII.
- Every address the host resolves to must be public: private, loopback (outside development),
  link-local (169.254.0.0/16, where cloud metadata lives), carrier-grade NAT, multicast,
  reserved and unspecified addresses are refused, and so are IPv6 forms that carry an IPv4
  address inside them (mapped, 6to4, NAT64).
- Checked when the address is saved and again at each delivery (a name can be pointed
  elsewhere after it was saved: DNS rebinding). A delivery connects to the very address that
  was checked (``webhooks.post_checked``), never follows redirects, and reports any network
  failure as "could not connect", so the log is no port scanner.

Redirect addresses are where a parent's *browser* is sent with a code: the same parsing, but
``http://`` to the loopback address is allowed everywhere (RFC 8252, native apps) and nothing
is resolved, because our servers never call them.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from config.errors import N_

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

MAX_LENGTH = 500  # the column's size
_PRINTABLE = re.compile(r"[\x21-\x7e]+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
LOOPBACK_NAMES = ("localhost",)
# Names that only ever mean something inside a private network.
PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

NOT_A_WEB_ADDRESS = N_("Enter a full web address, like https://software.example/webhooks")
MUST_BE_HTTPS = N_("The webhook address must start with https://")
NO_USER_INFO = N_("The webhook address must not include a user name or password")
NO_FRAGMENT = N_("The webhook address must not include a # part")
NOT_PUBLIC = N_(
    "The webhook address must be on the public internet, not a private, local or reserved address"
)
REDIRECT_MUST_BE_HTTPS = N_("Redirect addresses must start with https://")
REDIRECT_NO_USER_INFO = N_("Redirect addresses must not include a user name or password")
REDIRECT_NO_FRAGMENT = N_("Redirect addresses must not include a # part")

_WEBHOOK_MESSAGES = {"scheme": MUST_BE_HTTPS, "user": NO_USER_INFO, "fragment": NO_FRAGMENT}
_REDIRECT_MESSAGES = {
    "scheme": REDIRECT_MUST_BE_HTTPS,
    "user": REDIRECT_NO_USER_INFO,
    "fragment": REDIRECT_NO_FRAGMENT,
}


class AddressRefused(ValueError):
    """The address breaks one of the rules; ``str()`` is the message for the person."""


@dataclass(frozen=True)
class Target:
    """A checked webhook address: where to connect (``ips``, every one allowed) and what to ask."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, as given
    ips: tuple[str, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system's resolver gives for ``host`` (IPv4 and IPv6)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def is_public(ip: IPAddress) -> bool:
    """Whether ``ip`` is an ordinary address on the internet (the rule in the module's docstring)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _allowed_ip(ip: IPAddress, allow_loopback: bool) -> bool:
    return is_public(ip) or (allow_loopback and ip.is_loopback)


def _parse(url: str, messages: dict[str, str]) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a well-formed address, else ``AddressRefused``."""
    if not url or len(url) > MAX_LENGTH or not _PRINTABLE.fullmatch(url) or "\\" in url:
        raise AddressRefused(NOT_A_WEB_ADDRESS)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.netloc:
        raise AddressRefused(messages["scheme"] if scheme not in {"http", "https"} else NOT_A_WEB_ADDRESS)
    if "@" in parts.netloc:
        raise AddressRefused(messages["user"])
    if parts.fragment or url.endswith("#"):
        raise AddressRefused(messages["fragment"])
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused(NOT_A_WEB_ADDRESS) from exc
    host = (parts.hostname or "").rstrip(".")
    if not host or not (_ip(host) or _is_dns_name(host)):
        raise AddressRefused(NOT_A_WEB_ADDRESS)
    path = parts.path or "/"
    return scheme, host, port, path + (f"?{parts.query}" if parts.query else "")


def _ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_dns_name(host: str) -> bool:
    """Letters, digits and hyphens in dot-separated labels; the last one not a number, so
    ``2130706433`` or ``0x7f.1`` (which resolvers read as 127.0.0.1) are not names."""
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return False
    if labels[-1].isdigit() or labels[-1].startswith("0x"):
        return False
    return len(labels) > 1 or host in LOOPBACK_NAMES


def _is_loopback_name(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.endswith(".localhost")


def check_redirect_uri(url: str) -> None:
    """An OAuth redirect address: https, or http to this machine (RFC 8252); no user, no fragment."""
    scheme, host, _port, _path = _parse(url, _REDIRECT_MESSAGES)
    ip = _ip(host)
    if scheme == "http" and not ((ip is not None and ip.is_loopback) or host in LOOPBACK_NAMES):
        raise AddressRefused(REDIRECT_MUST_BE_HTTPS)


def check_webhook_url(
    url: str, *, allow_loopback: bool, resolve: Resolver = system_resolver, must_resolve: bool
) -> Target:
    """The webhook address as a ``Target`` whose every address is allowed, else ``AddressRefused``.

    ``must_resolve`` is for delivery: a name that resolves to nothing cannot be posted to. When
    an address is saved, a name that does not resolve (yet) is accepted: each delivery checks
    it again before connecting.
    """
    scheme, host, port, path = _parse(url, _WEBHOOK_MESSAGES)
    literal = _ip(host)
    loopback_name = _is_loopback_name(host)
    if scheme == "http" and not (allow_loopback and (loopback_name or (literal and literal.is_loopback))):
        raise AddressRefused(MUST_BE_HTTPS)
    if literal is not None:
        if not _allowed_ip(literal, allow_loopback):
            raise AddressRefused(NOT_PUBLIC)
        return Target(scheme, str(literal), port, path, (str(literal),))
    if (loopback_name and not allow_loopback) or (not loopback_name and host.endswith(PRIVATE_SUFFIXES)):
        raise AddressRefused(NOT_PUBLIC)
    try:
        found = [ipaddress.ip_address(address.split("%", 1)[0]) for address in resolve(host, port)]
    except (OSError, UnicodeError, ValueError):
        found = []
    if not found and must_resolve:
        raise AddressRefused(N_("The webhook address could not be found"))
    if any(not _allowed_ip(ip, allow_loopback) for ip in found):
        raise AddressRefused(NOT_PUBLIC)
    return Target(scheme, host, port, path, tuple(str(ip) for ip in found))
