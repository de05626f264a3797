"""Long-term memory: durable facts distilled from the day, recalled at run time.

Every night the MemoryMaster persona's AI task entity reads the day's conversations
and execution log and returns facts as structured data (subject, fact, confidence,
source). The same fact said twice is stored once. Facts can be listed, searched and
forgotten (actions and an LLM tool), and the ones most relevant to a run's prompt
are added to the persona's instructions within a size budget.

Trusted runs and outside material (outside runs, routed events) are distilled
apart: facts learned from outside text are stored as *outside* and are never
recalled into a run or offered to its tools; only admins list them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
import re
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .models import Trust
from .outside import quote_context
from .personas import Persona, async_generate_structured
from .store import TaskStore

if TYPE_CHECKING:
    from .runtime import DlandConfigEntry

# What the instructions of one run may grow by.
RECALL_BUDGET = 1200
# How much of the day the distillation reads.
MATERIAL_LIMIT = 24_000
MATERIAL_RUNS = 200
FACT_LENGTH = 300
# Facts kept at most; past it new facts are not stored (known ones still update)
# until some are forgotten: memory never drops what it learnt on its own.
MAX_FACTS = 10_000
_WORD = re.compile(r"[\w']+")
_STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "the",
        "their",
        "they",
        "this",
        "to",
        "was",
        "we",
        "with",
        "you",
        "your",
    }
)
FACT_SCHEMA = vol.Schema(
    {
        vol.Required("subject"): str,
        vol.Required("fact"): str,
        vol.Required("confidence"): vol.Coerce(float),
        vol.Optional("source"): str,
    }
)
FACT_STRUCTURE = vol.Schema({vol.Required("facts"): [FACT_SCHEMA]})
DISTIL_INSTRUCTIONS = (
    "Read the day's conversations and execution log below and return the durable "
    "facts worth remembering about the people and the home: preferences, routines, "
    "relationships, recurring problems, decisions. For each: subject (who or what "
    "it is about), fact (one sentence), confidence (0 to 1) and source (which "
    "conversation or run it came from). Leave out one-off details, small talk and "
    "anything you are unsure of. Return an empty list if there is nothing durable."
)


@dataclass(frozen=True, slots=True)
class Fact:
    """One remembered fact."""

    fact_id: str
    subject: str
    fact: str
    confidence: float
    source: str | None
    created: datetime
    updated: datetime
    trust: Trust = Trust.TRUSTED

    def as_dict(self) -> dict[str, Any]:
        """Return the fact as service and tool data."""
        return {
            "fact_id": self.fact_id,
            "subject": self.subject,
            "fact": self.fact,
            "confidence": self.confidence,
            "source": self.source,
            "created": self.created.isoformat(),
            "updated": self.updated.isoformat(),
            "trust": self.trust.value,
        }


def _words(text: str) -> set[str]:
    return {
        word
        for word in _WORD.findall(text.casefold())
        if word not in _STOP_WORDS and len(word) > 1
    }


def _norm(subject: str, fact: str) -> str:
    """Return the de-duplication key: case, spacing and punctuation ignored."""
    return " ".join(_WORD.findall(f"{subject} :: {fact}".casefold()))


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


async def async_add_facts(
    store: TaskStore, facts: list[dict[str, Any]], trust: Trust
) -> tuple[int, int, int]:
    """Store facts; return how many were new, known, and left out (memory full).

    A fact a trusted run says again becomes trusted; outside text saying a
    trusted fact again changes nothing but its time.
    """
    now = dt_util.utcnow().timestamp()

    async def work(conn: Any) -> tuple[int, int, int]:
        new = known = full = 0
        cursor = await conn.execute("SELECT COUNT(*) FROM facts")
        count = (await cursor.fetchone())[0]
        await cursor.close()
        for item in facts:
            subject = str(item["subject"]).strip()[:FACT_LENGTH]
            text = str(item["fact"]).strip()[:FACT_LENGTH]
            if not subject or not text:
                continue
            norm = _norm(subject, text)
            cursor = await conn.execute("SELECT 1 FROM facts WHERE norm = ?", (norm,))
            exists = await cursor.fetchone() is not None
            await cursor.close()
            if not exists and count >= MAX_FACTS:
                full += 1
                continue
            count += not exists
            await conn.execute(
                """INSERT INTO facts (id, subject, fact, confidence, source, created,
                    updated, norm, trust) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (norm) DO UPDATE SET updated = excluded.updated,
                    confidence = CASE WHEN excluded.trust = 'trusted'
                        OR trust = 'outside'
                        THEN MAX(confidence, excluded.confidence)
                        ELSE confidence END,
                    trust = CASE WHEN excluded.trust = 'trusted' THEN 'trusted'
                        ELSE trust END""",
                (
                    ulid_now(),
                    subject,
                    text,
                    min(max(float(item["confidence"]), 0.0), 1.0),
                    item.get("source"),
                    now,
                    now,
                    norm,
                    trust.value,
                ),
            )
            known += exists
            new += not exists
        return new, known, full

    counts: tuple[int, int, int] = await store.async_transaction(work)
    return counts


async def async_search(
    store: TaskStore,
    query: str | None = None,
    limit: int = 20,
    *,
    trusted_only: bool = False,
) -> list[Fact]:
    """Return facts matching the query's words, best first (newest when no query)."""
    where = " WHERE trust = 'trusted'" if trusted_only else ""
    rows = await store.async_query(
        "SELECT id, subject, fact, confidence, source, created, updated, trust"
        f" FROM facts{where} ORDER BY updated DESC"
    )
    facts = [_fact(row) for row in rows]
    if not query or not (wanted := _words(query)):
        return facts[:limit]
    scored = [
        (len(wanted & _words(f"{fact.subject} {fact.fact}")), fact) for fact in facts
    ]
    scored = [item for item in scored if item[0]]
    scored.sort(key=lambda item: (item[0], item[1].confidence), reverse=True)
    return [fact for _, fact in scored[:limit]]


async def async_forget(store: TaskStore, fact_id: str) -> bool:
    """Forget a fact; False if there is none with this id."""

    async def work(conn: Any) -> bool:
        cursor = await conn.execute("DELETE FROM facts WHERE id = ?", (fact_id,))
        return bool(cursor.rowcount)

    forgotten: bool = await store.async_transaction(work)
    return forgotten


async def async_recall(store: TaskStore, prompt: str) -> str:
    """Return the trusted facts most relevant to a prompt, within the budget."""
    lines: list[str] = []
    used = 0
    for fact in await async_search(store, prompt, limit=50, trusted_only=True):
        line = f"- {fact.subject}: {fact.fact}"
        if used + len(line) > RECALL_BUDGET:
            break
        lines.append(line)
        used += len(line) + 1
    if not lines:
        return ""
    return "What you remember from earlier days:\n" + "\n".join(lines)


async def _async_material(
    store: TaskStore, since: datetime, trust: Trust
) -> list[dict[str, Any]]:
    """Return the day's runs of one trust: prompts, answers, outcomes (oldest first)."""
    rows = await store.async_query(
        """SELECT e.started, COALESCE(t.name, e.origin, e.source) AS what,
            COALESCE(t.prompt, e.prompt) AS prompt, e.response, e.status, e.error
        FROM executions e LEFT JOIN tasks t ON t.id = e.task_id
        WHERE e.started >= ? AND e.source != 'heartbeat' AND e.trust = ?
        ORDER BY e.started DESC LIMIT ?""",
        (since.timestamp(), trust.value, MATERIAL_RUNS),
    )
    material = []
    for row in reversed(list(rows)):
        entry = {
            "at": dt_util.as_local(dt_util.utc_from_timestamp(row["started"])).strftime(
                "%H:%M"
            ),
            "run": row["what"],
            "prompt": (row["prompt"] or "")[:1000],
            "status": row["status"],
        }
        if row["response"]:
            entry["answer"] = row["response"][:1000]
        if row["error"]:
            entry["error"] = row["error"][:300]
        material.append(entry)
    return material


async def async_distill(
    hass: HomeAssistant, entry: DlandConfigEntry, persona: Persona
) -> str:
    """Distil the last day into facts; return what was stored, in a sentence.

    Trusted runs and outside material go to the AI task entity apart, with no
    tools either time, so that what outside text taught is marked as such.
    Raises HomeAssistantError when the AI task fails.
    """
    store = entry.runtime_data.store
    since = dt_util.utcnow() - timedelta(days=1)
    trusted = await _async_material(store, since, Trust.TRUSTED)
    outside = await _async_material(store, since, Trust.OUTSIDE)
    # Events are what sources reported from outside, whatever woke.
    events = [
        f"{event.source} {event.type}: {event.summary}"
        for event in await store.async_list_events(since, limit=500)
    ]
    if not trusted and not outside and not events:
        return "Nothing happened today to learn from."
    new = known = full = 0
    for trust, material in (
        (Trust.TRUSTED, {"conversations_and_runs": trusted}),
        (Trust.OUTSIDE, {"conversations_and_runs": outside, "events": events}),
    ):
        if not any(material.values()):
            continue
        stored = await _async_distill_part(hass, store, persona, material, trust)
        new, known, full = new + stored[0], known + stored[1], full + stored[2]
    said = f"Stored {new} new facts; {known} were already known."
    if full:
        said += (
            f" {full} were not stored: memory holds at most {MAX_FACTS} facts"
            " (forget some with dland_assistant.forget_fact)."
        )
    return said


async def _async_distill_part(
    hass: HomeAssistant,
    store: TaskStore,
    persona: Persona,
    material: dict[str, Any],
    trust: Trust,
) -> tuple[int, int, int]:
    day = quote_context("the day's log", material)
    data = await async_generate_structured(
        hass,
        persona,
        task_name="Memory distillation",
        instructions=DISTIL_INSTRUCTIONS + day[:MATERIAL_LIMIT],
        structure=FACT_STRUCTURE,
    )
    facts = []
    for item in (data or {}).get("facts", []) if isinstance(data, dict) else []:
        try:
            facts.append(FACT_SCHEMA(item))
        except vol.Invalid:
            continue  # a malformed fact is left out, the rest are kept
    return await async_add_facts(store, facts, trust)
