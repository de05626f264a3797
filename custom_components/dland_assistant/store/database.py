"""One aiosqlite connection to the integration's file: open, migrate, read, write.

Times are stored as UTC epoch seconds. One connection serves the integration; a lock
keeps each write transaction whole, so coroutines never interleave inside one.
"""

import asyncio
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
import sqlite3
import threading
from typing import Any

import aiosqlite

from .schema import MIGRATIONS, SCHEMA_VERSION


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


class Database:
    """The connection every table's queries go through."""

    def __init__(self, path: Path) -> None:
        """Remember where the database lives; nothing is opened yet."""
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("The store is closed")
        return self._db

    async def async_open(self) -> None:
        """Open the database, switch it to WAL and bring its schema up to date."""
        try:
            self._db = await aiosqlite.connect(self.path)
            self._db.row_factory = sqlite3.Row
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=NORMAL")
            # Off while migrating: a rebuilt table (copied, dropped, renamed) must
            # not set its rows' references to NULL; checked before turning on.
            await self._db.execute("PRAGMA foreign_keys=OFF")
            await self._migrate()
            await self._check_references()
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._check_writable()
        except sqlite3.DatabaseError as err:
            await self.async_close()
            if any(message in str(err) for message in _CORRUPT_MESSAGES):
                raise CorruptDatabaseError(str(err)) from err
            raise StoreError(str(err)) from err
        except sqlite3.Error as err:
            await self.async_close()
            raise StoreError(str(err)) from err
        except SchemaTooNewError:
            await self.async_close()
            raise

    async def async_close(self) -> None:
        """Close the database."""
        if self._db is not None:
            db, self._db = self._db, None
            await db.close()
            # close() returns just before aiosqlite's worker thread exits; wait for it
            # so that nothing of the store outlives the entry.
            thread: threading.Thread | None = getattr(db, "_thread", None)
            if thread is not None:
                await asyncio.get_running_loop().run_in_executor(None, thread.join, 5)

    async def _check_writable(self) -> None:
        """Fail at set-up, not at the first write, when the file takes no writes.

        A read-only file or mount opens and reads fine; a write that changes
        nothing (rolled back) is refused with "attempt to write a readonly
        database".
        """
        await self._conn.execute("UPDATE state SET value = value WHERE 0")
        await self._conn.rollback()

    async def _check_references(self) -> None:
        async with self._conn.execute("PRAGMA foreign_key_check") as cursor:
            broken = list(await cursor.fetchall())
        if broken:
            raise StoreError(f"Broken references after migrating: {len(broken)}")

    async def _migrate(self) -> None:
        async with self._conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"Database schema {version} is newer than supported {SCHEMA_VERSION}"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first; the version bump is part of the script so a
            # crash leaves either the old schema or the new one.
            await self._conn.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    async def async_schema_version(self) -> int:
        """Return the schema version of the open database."""
        async with self._conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _fetchall(
        self, sql: str, params: Sequence[Any] = ()
    ) -> Iterable[sqlite3.Row]:
        try:
            return await self._conn.execute_fetchall(sql, params)
        except (sqlite3.Error, ValueError) as err:
            # aiosqlite says ValueError when the connection closed under the call.
            raise StoreError(str(err)) from err

    async def _write(self, work: Callable[[aiosqlite.Connection], Any]) -> Any:
        """Run ``work`` in one transaction: all of it is committed or none."""
        async with self._write_lock:
            conn = self._conn
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    result = await work(conn)
                except BaseException:
                    await conn.rollback()
                    raise
                await conn.commit()
            except (sqlite3.Error, ValueError) as err:
                # aiosqlite says ValueError when the connection closed under the call.
                raise StoreError(str(err)) from err
            return result
