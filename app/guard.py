"""Every request's checks: the name it was sent to, the token, its session, the headers.

The page is meant for one machine; when it listens elsewhere it takes a stranger for a
stranger.  Each request, before Dash sees it:

- its ``Host:`` must be a name the page answers to (the bound address, this machine's
  names where it listens on a loopback or wildcard address, and ``--allowed-host``), so a
  page of another site cannot reach this one through a name it controls (DNS rebinding);
- where the page has a token, it must carry it: in the link once (``?token=``), after which
  the browser holds it in a cookie; without it the answer is 401;
- it belongs to a session, a random id in an HttpOnly, SameSite=Strict cookie the server
  issues on the first request, which owns the runs it asks for (``app.runner``).

Every answer forbids framing (``X-Frame-Options``, ``frame-ancestors``) and scripts from
anywhere but the page itself (``Content-Security-Policy``).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import socket
from collections.abc import Iterable

from flask import Flask, Response, g, has_request_context, request

from app.limits import Access

SESSION_COOKIE = "micac_session"
TOKEN_COOKIE = "micac_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::", "")
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{20,64}")


def is_loopback(host: str) -> bool:
    """Whether an address is this machine only (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def needs_token(access: Access) -> bool:
    """Whether the page must be opened with a token: listening beyond this machine."""
    return not is_loopback(access.host)


def new_token() -> str:
    """A secret for the link, hard to guess (192 random bits)."""
    return secrets.token_urlsafe(24)


def _machine_names() -> set[str]:
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        names.update(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:  # a machine without a resolvable name still has its loopback names
        pass
    return {name for name in names if name}


def host_names(access: Access) -> frozenset[str]:
    """The names a ``Host:`` header may carry (lower case, without the port)."""
    names = {access.host, *access.allowed_hosts}
    if is_loopback(access.host) or access.host in WILDCARD:
        names.update(LOOPBACK)
    if access.host in WILDCARD:
        names.update(_machine_names())
    return frozenset(name.lower().strip("[]") for name in names if name not in WILDCARD)


def host_of(header: str) -> str:
    """The name of a ``Host:`` header without its port: ``[::1]:8050`` gives ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def policy(script_hashes: Iterable[str]) -> str:
    """The Content-Security-Policy: everything from the page itself, its one inline script.

    Styles may be inline: the dropdowns write their own ``<style>`` elements.
    """
    scripts = " ".join(["'self'", *script_hashes])
    return ("default-src 'self'; " f"script-src {scripts}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def session() -> str:
    """The session of the request being answered ('' outside a request)."""
    return str(g.get("session", "")) if has_request_context() else ""


def _plain(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


def _refusal(access: Access, names: frozenset[str]) -> Response | None:
    """Why a request is refused (its name, its token), or None to answer it."""
    if host_of(request.host) not in names:
        return _plain(403, "This page does not answer to that name. Open it at the address "
                           "`serve` printed; the person running it can add a name with "
                           "--allowed-host NAME.")
    if access.token is None:
        return None
    given = request.args.get("token") or request.cookies.get(TOKEN_COOKIE) or ""
    if not hmac.compare_digest(given.encode(), access.token.encode()):
        return _plain(401, "This page needs its link: open the address `serve` printed, "
                           "with ?token=... at its end (ask the person running it).")
    g.token_given = request.args.get("token") is not None
    return None


def protect(server: Flask, access: Access, script_hashes: Iterable[str],
            body_bytes: int) -> None:
    """Check every request to ``server`` and mark every answer, as the module describes."""
    names = host_names(access)
    csp = policy(script_hashes)
    server.config["MAX_CONTENT_LENGTH"] = body_bytes

    @server.before_request
    def _check() -> Response | None:
        refused = _refusal(access, names)
        if refused is not None:
            return refused
        known = request.cookies.get(SESSION_COOKIE, "")
        g.new_session = SESSION_ID.fullmatch(known) is None
        g.session = secrets.token_urlsafe(18) if g.new_session else known
        return None

    @server.after_request
    def _mark(response: Response) -> Response:
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        secure = request.is_secure  # behind a proxy with TLS: the cookies over HTTPS only
        if g.get("new_session"):
            response.set_cookie(SESSION_COOKIE, g.session, httponly=True, samesite="Strict",
                                secure=secure)
        if g.get("token_given") and access.token is not None:
            response.set_cookie(TOKEN_COOKIE, access.token, httponly=True, samesite="Strict",
                                secure=secure)
        return response
