"""The facts table: long-term memory, stored once per normalised fact."""

import sqlite3
from typing import Any

from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..models import Fact, NewFact, Trust
from .database import Database

# Facts kept at most; past it new facts are not stored (known ones still update)
# until some are forgotten: memory never drops what it learnt on its own.
MAX_FACTS = 10_000


def _fact(row: Any) -> Fact:
    return Fact(
        fact_id=row["id"],
        subject=row["subject"],
        fact=row["fact"],
        confidence=row["confidence"],
        source=row["source"],
        created=dt_util.utc_from_timestamp(row["created"]),
        updated=dt_util.utc_from_timestamp(row["updated"]),
        trust=Trust(row["trust"]),
    )


class FactTable(Database):
    """Facts: added or updated, listed, forgotten."""

    async def async_add_facts(
        self, facts: list[NewFact], trust: Trust
    ) -> tuple[int, int, int]:
        """Store facts; return how many were new, known, and left out (memory full).

        A fact a trusted run says again becomes trusted; outside text saying a
        trusted fact again changes nothing but its time.
        """
        now = dt_util.utcnow().timestamp()

        def work(conn: sqlite3.Connection) -> tuple[int, int, int]:
            new = known = full = 0
            cursor = conn.execute("SELECT COUNT(*) FROM facts")
            count = (cursor.fetchone() or (0,))[0]
            cursor.close()
            for item in facts:
                cursor = conn.execute(
                    "SELECT 1 FROM facts WHERE norm = ?", (item.norm,)
                )
                exists = cursor.fetchone() is not None
                cursor.close()
                if not exists and count >= MAX_FACTS:
                    full += 1
                    continue
                count += not exists
                conn.execute(
                    """INSERT INTO facts (id, subject, fact, confidence, source,
                        created, updated, norm, trust)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (norm) DO UPDATE SET updated = excluded.updated,
                        confidence = CASE WHEN excluded.trust = 'trusted'
                            OR trust = 'outside'
                            THEN MAX(confidence, excluded.confidence)
                            ELSE confidence END,
                        trust = CASE WHEN excluded.trust = 'trusted' THEN 'trusted'
                            ELSE trust END""",
                    (
                        ulid_now(),
                        item.subject,
                        item.fact,
                        item.confidence,
                        item.source,
                        now,
                        now,
                        item.norm,
                        trust.value,
                    ),
                )
                known += exists
                new += not exists
            return new, known, full

        counts: tuple[int, int, int] = await self._write(work)
        return counts

    async def async_list_facts(self, *, trusted_only: bool = False) -> list[Fact]:
        """Return every fact (at most MAX_FACTS), the most recently updated first."""
        where = " WHERE trust = 'trusted'" if trusted_only else ""
        rows = await self._fetchall(
            "SELECT id, subject, fact, confidence, source, created, updated, trust"
            f" FROM facts{where} ORDER BY updated DESC"
        )
        return [_fact(row) for row in rows]

    async def async_forget_fact(self, fact_id: str) -> bool:
        """Forget a fact; False if there is none with this id."""

        def work(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute("DELETE FROM facts WHERE id = ?", (fact_id,))
            return bool(cursor.rowcount)

        forgotten: bool = await self._write(work)
        return forgotten
