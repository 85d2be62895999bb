"""The hot read path: prepared queries on non-blocking psycopg2 connections, awaited on the loop.

A request's history read neither blocks the event loop nor hops to a worker thread: the
connection is psycopg2's asynchronous mode, waited on with ``loop.add_reader``. Each new
connection prepares the statements once, so a read is one round trip with no parsing or
planning on the server. A connection found dead (database restarted) empties the idle pool
and the read is retried once on a fresh one; other faults become SQLAlchemy's ``DBAPIError``,
which the shared handlers turn into 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import psycopg2
import psycopg2.errors
import psycopg2.extensions as ext
from sqlalchemy.exc import DBAPIError

Connection = Any  # a psycopg2 connection in asynchronous mode


@dataclass
class AsyncReader:
    """A small pool of asynchronous connections running named, prepared read statements."""

    dsn: str  # libpq URL
    statements: dict[str, str]  # name → SQL with $1.. placeholders
    size: int = 8
    connect_timeout_s: float = 3.0
    statement_timeout_ms: int = 10_000
    application_name: str = "vocabulo-quiz-read"
    _idle: list[Connection] = field(default_factory=list, init=False, repr=False)
    _slots: asyncio.Semaphore | None = field(default=None, init=False, repr=False)

    async def fetchall(self, name: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """All rows of statement ``name``; retried once when a pooled connection was dead."""
        if name not in self.statements:
            raise KeyError(f"unknown statement {name}")
        sql = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        async with self._slots:
            for last_try in (False, True):
                pooled = bool(self._idle)
                conn = self._idle.pop() if pooled else await self._connect()
                try:
                    rows = await self._run(conn, sql, params)
                except psycopg2.Error as exc:
                    _close(conn)
                    if pooled and not last_try and _connection_lost(exc):
                        self.close()  # the other idle connections died with it
                        continue
                    raise _wrap(sql, params, exc) from exc
                except TimeoutError as exc:  # no answer at all (network): not worth a retry
                    _close(conn)
                    fault = psycopg2.OperationalError("the database did not answer in time")
                    raise _wrap(sql, params, fault) from exc
                except BaseException:  # cancelled mid-query: the connection's state is unknown
                    _close(conn)
                    raise
                self._idle.append(conn)
                return rows
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the idle connections (busy ones are closed when they fail or at exit)."""
        while self._idle:
            _close(self._idle.pop())

    async def _connect(self) -> Connection:
        try:
            hostaddr = await asyncio.wait_for(_resolve(self.dsn), self.connect_timeout_s)
            conn = psycopg2.connect(
                self.dsn,
                **hostaddr,
                async_=True,
                application_name=self.application_name,
                options=f"-c statement_timeout={self.statement_timeout_ms}",
            )
        except psycopg2.Error as exc:
            raise _wrap("connect", (), exc) from exc
        except (OSError, TimeoutError) as exc:  # the host name does not resolve (in time)
            raise _wrap("connect", (), psycopg2.OperationalError(f"host lookup: {exc}")) from exc
        try:
            await asyncio.wait_for(_ready(conn), self.connect_timeout_s)
            cur = conn.cursor()
            for name, sql in self.statements.items():
                cur.execute(f"PREPARE {name} AS {sql}")
                await asyncio.wait_for(_ready(conn), self.connect_timeout_s)
        except psycopg2.Error as exc:
            _close(conn)
            raise _wrap("connect", (), exc) from exc
        except TimeoutError as exc:
            _close(conn)
            fault = psycopg2.OperationalError(f"no answer within {self.connect_timeout_s} s")
            raise _wrap("connect", (), fault) from exc
        except BaseException:
            _close(conn)
            raise
        return conn

    async def _run(self, conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
        cur = conn.cursor()  # not a context manager: closing it mid-query would raise
        cur.execute(sql, params)
        # the server stops the statement at statement_timeout; this bounds a dead network
        await asyncio.wait_for(_ready(conn), self.statement_timeout_ms / 1000 + 2)
        return cur.fetchall()


async def _resolve(dsn: str) -> dict[str, str]:
    """``hostaddr`` for a TCP host name, looked up off the loop (libpq would block on DNS)."""
    params = ext.parse_dsn(dsn)
    host = params.get("host", "")
    if not host or "hostaddr" in params or host.startswith("/") or "," in host:
        return {}  # unix socket, explicit address or a host list: leave it to libpq
    if host == "localhost" or _is_ip(host):
        return {}  # no DNS involved
    port = int(params.get("port", 5432))
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return {"hostaddr": str(infos[0][4][0])}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _ready(conn: Connection) -> None:
    """Drive ``conn.poll()`` until the pending operation completes, awaiting its socket."""
    loop = asyncio.get_running_loop()
    while True:
        state = conn.poll()
        if state == ext.POLL_OK:
            return
        fd = conn.fileno()
        done = loop.create_future()
        if state == ext.POLL_READ:
            loop.add_reader(fd, _wake, done)
            try:
                await done
            finally:
                loop.remove_reader(fd)
        elif state == ext.POLL_WRITE:
            loop.add_writer(fd, _wake, done)
            try:
                await done
            finally:
                loop.remove_writer(fd)
        else:  # pragma: no cover - psycopg2 raises on errors
            raise psycopg2.OperationalError(f"unexpected poll state {state}")


def _connection_lost(exc: psycopg2.Error) -> bool:
    """True when the connection broke (worth one retry), not when a query failed or timed out."""
    if isinstance(exc, psycopg2.errors.QueryCanceled):
        return False
    return isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError)


def _wake(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)


def _close(conn: Connection) -> None:
    with contextlib.suppress(psycopg2.Error):
        conn.close()


def _wrap(sql: str, params: tuple[Any, ...], exc: psycopg2.Error) -> DBAPIError:
    """The SQLAlchemy error class matching ``exc`` (OperationalError → 503)."""
    return DBAPIError.instance(sql, params, exc, psycopg2.Error)
