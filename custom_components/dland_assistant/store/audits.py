"""The audits table: the hourly audit's records."""

import json
import sqlite3

from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType
from homeassistant.util.ulid import ulid_now

from .database import Database


class AuditTable(Database):
    """Audit records, newest first."""

    async def async_add_audit(self, report: dict[str, JsonValueType]) -> None:
        """Store one audit's report, timed now."""

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO audits (id, time, report) VALUES (?, ?, ?)",
                (ulid_now(), dt_util.utcnow().timestamp(), json.dumps(report)),
            )

        await self._write(work)

    async def async_list_audits(self, limit: int) -> list[JsonValueType]:
        """Return the newest audit reports."""
        rows = await self._fetchall(
            "SELECT report FROM audits ORDER BY time DESC LIMIT ?", (limit,)
        )
        return [json.loads(row[0]) for row in rows]
