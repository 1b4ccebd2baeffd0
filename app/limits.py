"""What the page takes from anyone: runs per session and in all, a run's size, a body, exports.

Light on purpose (the standard library only): the command line builds the ``serve``
options from these defaults on every run, before the web framework is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    """The page's limits; each one hit is refused with a message beside its control.

    Attributes
    ----------
    jobs_per_session : int
        Runs one session may have waiting or running at once.
    jobs_in_all : int
        Runs the whole page may have waiting or running at once.
    run_seconds : float
        The longest run the page starts, by the command line's own run-size estimate.
    body_bytes : int
        The largest request body the server reads.
    export_bytes : int
        The most the exported comparison pages may hold under the cache; the least recently
        used are removed first.
    """

    jobs_per_session: int = 3
    jobs_in_all: int = 20
    run_seconds: float = 300.0
    body_bytes: int = 1 * MB
    export_bytes: int = 200 * MB


@dataclass(frozen=True)
class Access:
    """Who may open the page: the address it listens on, its token and the names it answers to.

    Attributes
    ----------
    host : str
        The address the server is bound to.
    token : str or None
        The secret every request must carry (in the link once, then in a cookie); None on
        a loopback address without ``--token``.
    allowed_hosts : tuple of str
        Names (or addresses) a browser may use in the ``Host:`` header besides the bound
        address (and, on a loopback or wildcard address, this machine's own names).
    """

    host: str
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()
