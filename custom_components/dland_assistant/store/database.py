"""One SQLite connection to the integration's file, on a thread of its own.

Times are stored as UTC epoch seconds. The connection lives on one worker thread;
every statement runs there, never on the event loop. A transaction is a plain
function run there whole, in one hop from the loop and back (not one hop per
statement), so transactions cannot interleave. Writes that arrive while the
thread is busy are committed together (group commit); when one of them fails,
the group is rolled back and each runs again alone, so only that one fails. Each
caller hears of its write only once the commit holding it is done, so nothing
acknowledged is lost to a crash.
"""

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
import sqlite3
from typing import Any

from .schema import MIGRATIONS, SCHEMA_VERSION

# One write transaction: runs on the database thread with the connection.
type Work[T] = Callable[[sqlite3.Connection], T]


class StoreError(Exception):
    """The database could not be read or written."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of the integration."""


class CorruptDatabaseError(StoreError):
    """The file is not an SQLite database, or its pages are damaged."""


class QuotaExceeded(Exception):
    """A user or a source already has as many stored rows as it may."""

    def __init__(self, limit: int, key: str = "task_quota") -> None:
        """Say which limit was reached (``key``: its translated error)."""
        super().__init__(f"quota of {limit} reached")
        self.limit = limit
        self.key = key


# What SQLite says of a damaged file (as opposed to a locked, missing or full one).
_CORRUPT_MESSAGES = ("file is not a database", "database disk image is malformed")


@dataclass(slots=True)
class _Queued:
    """A write waiting for the next group commit, and who waits for it."""

    work: Work[Any]
    future: asyncio.Future[Any]


def _as_store_error(err: BaseException) -> BaseException:
    """SQLite's errors become StoreError; the work's own (a quota) stay as they are."""
    if isinstance(err, sqlite3.Error):
        error = StoreError(str(err))
        error.__cause__ = err
        return error
    return err


def fetchall(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()
) -> list[sqlite3.Row]:
    """Return every row of a query (on the database thread)."""
    return conn.execute(sql, params).fetchall()


def fetchone_value(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()
) -> Any:
    """Return the first column of a query's first row, None when it has none."""
    row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


class Database:
    """The connection every table's queries go through."""

    def __init__(self, path: Path) -> None:
        """Remember where the database lives; nothing is opened yet."""
        self.path = path
        # Touched only on the database thread.
        self._db: sqlite3.Connection | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._queued: list[_Queued] = []
        self._committer: asyncio.Task[None] | None = None

    async def _call[T](self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` with the connection on the database thread: one hop."""
        thread = self._thread
        if thread is None:
            raise StoreError("The store is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(
                thread, self._with_connection, fn
            )
        except RuntimeError as err:  # the thread was shut down under the call
            raise StoreError("The store is closed") from err

    def _with_connection[T](self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._db is None:
            raise StoreError("The store is closed")
        try:
            return fn(self._db)
        except sqlite3.Error as err:
            raise StoreError(str(err)) from err

    async def async_open(self) -> None:
        """Open the database, switch it to WAL and bring its schema up to date."""
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="dland_assistant_db")
        try:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._open)
        except BaseException:
            await self.async_close()
            raise

    def _open(self) -> None:
        try:
            # Autocommit mode: transactions are begun and ended explicitly.
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            # Off while migrating: a rebuilt table (copied, dropped, renamed) must
            # not set its rows' references to NULL; checked before turning on.
            self._db.execute("PRAGMA foreign_keys=OFF")
            self._migrate(self._db)
            if broken := fetchall(self._db, "PRAGMA foreign_key_check"):
                raise StoreError(f"Broken references after migrating: {len(broken)}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._check_writable(self._db)
        except sqlite3.DatabaseError as err:
            if any(message in str(err) for message in _CORRUPT_MESSAGES):
                raise CorruptDatabaseError(str(err)) from err
            raise StoreError(str(err)) from err
        except sqlite3.Error as err:
            raise StoreError(str(err)) from err

    async def async_close(self) -> None:
        """Commit what is queued, then close the database and end its thread."""
        if self._committer is not None:
            await asyncio.shield(self._committer)
        thread, self._thread = self._thread, None
        if thread is None:
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(thread, self._close)
        # Wait for the thread to end, so that nothing of the store outlives the entry.
        await loop.run_in_executor(None, thread.shutdown)

    def _close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()

    @staticmethod
    def _check_writable(conn: sqlite3.Connection) -> None:
        """Fail at set-up, not at the first write, when the file takes no writes.

        A read-only file or mount opens and reads fine; a write that changes
        nothing (rolled back) is refused with "attempt to write a readonly
        database".
        """
        conn.execute("BEGIN")
        try:
            conn.execute("UPDATE state SET value = value WHERE 0")
        finally:
            conn.execute("ROLLBACK")

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = int(fetchone_value(conn, "PRAGMA user_version") or 0)
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"Database schema {version} is newer than supported {SCHEMA_VERSION}"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # The version bump is part of the script so a crash leaves either the
            # old schema or the new one.
            conn.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    async def async_schema_version(self) -> int:
        """Return the schema version of the open database."""
        return int(
            await self._call(lambda conn: fetchone_value(conn, "PRAGMA user_version"))
            or 0
        )

    async def _fetchall(
        self, sql: str, params: Sequence[Any] = ()
    ) -> list[sqlite3.Row]:
        return await self._call(lambda conn: fetchall(conn, sql, params))

    async def _write[T](self, work: Work[T]) -> T:
        """Run ``work`` in a transaction: all of it is committed or none.

        Returns once it is committed; writes queued meanwhile share the commit.
        ``work`` may run twice (again alone, after another write of its group
        failed and the group was rolled back): it depends on the database only.
        """
        if self._thread is None:
            raise StoreError("The store is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queued.append(_Queued(work, future))
        if self._committer is None:
            self._committer = asyncio.get_running_loop().create_task(
                self._async_commit_queued(), name="dland_assistant group commit"
            )
        return await future

    async def _async_commit_queued(self) -> None:
        """Commit what is queued, group by group, until nothing is."""
        try:
            while self._queued:
                group, self._queued = self._queued, []
                try:
                    outcomes = await self._call(
                        partial(_commit, works=[queued.work for queued in group])
                    )
                except BaseException as err:
                    # The commit failed (or the store closed): none of it is written.
                    failure = (
                        err if isinstance(err, StoreError) else StoreError(str(err))
                    )
                    outcomes = [(False, failure)] * len(group)
                    if not isinstance(err, Exception):
                        _settle(group, outcomes)
                        raise
                _settle(group, outcomes)
        finally:
            self._committer = None


def _settle(group: list[_Queued], outcomes: list[tuple[bool, Any]]) -> None:
    """Tell each waiting writer how its write ended, the newest first.

    A claim queued after the ends of runs then starts its runs before those ends
    are announced: the next agents are reached sooner.
    """
    for queued, (ok, value) in reversed(list(zip(group, outcomes, strict=True))):
        if queued.future.done():  # its caller stopped waiting
            continue
        if ok:
            queued.future.set_result(value)
        else:
            queued.future.set_exception(value)


def _commit(
    conn: sqlite3.Connection, *, works: list[Work[Any]]
) -> list[tuple[bool, Any]]:
    """Run writes in one transaction and commit; say how each ended.

    When one raises, the transaction is rolled back and each write runs again
    alone, so only the failing one fails (a write is a function of the database
    only: running it again after a rollback is running it once). An error of the
    commit itself fails them all (raised).
    """
    if len(works) > 1:
        conn.execute("BEGIN IMMEDIATE")
        try:
            values = [work(conn) for work in works]
        except Exception:  # noqa: BLE001 - each is tried again alone below
            _rollback(conn)
        else:
            _commit_transaction(conn)
            return [(True, value) for value in values]
    return [_commit_alone(conn, work) for work in works]


def _commit_alone(conn: sqlite3.Connection, work: Work[Any]) -> tuple[bool, Any]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        value = work(conn)
    except Exception as err:  # noqa: BLE001 - handed to its caller
        _rollback(conn)
        return False, _as_store_error(err)
    _commit_transaction(conn)
    return True, value


def _commit_transaction(conn: sqlite3.Connection) -> None:
    """Commit; a failed commit leaves no transaction open behind it."""
    try:
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite may have rolled back already (a full disk, an I/O error).
    if conn.in_transaction:
        conn.execute("ROLLBACK")
