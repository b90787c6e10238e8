"""Fetching a source page for the editor, without letting the server be used to reach the inside network (SSRF).

Only http and https; the host's addresses are resolved once and every one must be a public address (not private,
loopback, link-local, shared, multicast or reserved); the connection goes to the address that was checked (a second
DNS answer cannot swap it); redirects are followed by hand and each new location is checked the same way; the body
is read up to MAX_SOURCE_BYTES and the whole fetch ends after DRAFTING_FETCH_TIMEOUT seconds.

`settings.DRAFTING_FETCH_ALLOWED_NETWORKS` lists networks allowed although not public. It is empty in production;
the tests widen it to 127.0.0.1/32 for their own local server, and nothing else."""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .sources import MAX_SOURCE_BYTES, SourceError

MAX_REDIRECTS = 5
USER_AGENT = "TraffickingOperationsTracker/1.0 (drafting from a source)"


class FetchError(SourceError):
    """The page could not be fetched, or was refused; the message says which, for the editor."""


@dataclass
class Fetched:
    url: str  # after redirects
    content: bytes
    content_type: str


def _allowed_networks():
    return [ipaddress.ip_network(network) for network in getattr(settings, "DRAFTING_FETCH_ALLOWED_NETWORKS", [])]


def check_address(address: str) -> None:
    """Refuse an address that is not on the public internet (unless a setting allows its network)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in _allowed_networks()):
        return
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        raise FetchError(
            _("This address is not on the public internet (%(address)s); it is refused.") % {"address": ip}
        )


def resolve(host: str, port: int) -> str:
    """The host's first address after checking all of them (one private answer refuses the host)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(_("The host %(host)s could not be found.") % {"host": host}) from error
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        check_address(address)
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, whatever the DNS says by the time it connects."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _too_slow(timeout):
    return _("The page took more than %(seconds)s seconds; it is refused.") % {"seconds": f"{timeout:g}"}


def fetch(url: str) -> Fetched:
    """GET a page within the limits above, or raise FetchError with a message for the editor."""
    timeout = float(getattr(settings, "DRAFTING_FETCH_TIMEOUT", 10))
    deadline = time.monotonic() + timeout
    for _redirect in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(_("Only http and https addresses can be fetched."))
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            raise FetchError(_("This address has an invalid port.")) from error
        address = resolve(parts.hostname, port)
        connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        remaining = max(0.1, deadline - time.monotonic())
        connection = connection_class(parts.hostname, port, address, timeout=remaining)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(_("The page redirects without saying where."))
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(
                    _("The page answered %(status)s %(reason)s.")
                    % {"status": response.status, "reason": response.reason}
                )
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_SOURCE_BYTES:
                raise FetchError(
                    _("This page is larger than %(max)s MB; it is refused.") % {"max": MAX_SOURCE_BYTES // 1048576}
                )
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(
                        _("The page took more than %(seconds)s seconds; it is refused.") % {"seconds": int(timeout)}
                    )
                chunk = response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_SOURCE_BYTES:
                    raise FetchError(
                        _("This page is larger than %(max)s MB; it is refused.") % {"max": MAX_SOURCE_BYTES // 1048576}
                    )
                chunks.append(chunk)
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            return Fetched(url=url, content=b"".join(chunks), content_type=content_type)
        except TimeoutError as error:
            raise FetchError(_too_slow(timeout)) from error
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(
                _("The page could not be fetched (%(error)s).") % {"error": error.__class__.__name__}
            ) from error
        finally:
            connection.close()
    raise FetchError(_("The page redirects more than %(count)s times.") % {"count": MAX_REDIRECTS})
