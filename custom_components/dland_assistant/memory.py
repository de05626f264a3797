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

from datetime import datetime, timedelta
import re
from typing import Any

import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .models import Fact, NewFact, Trust
from .outside import quote_context
from .personas import Persona, async_generate_structured
from .store import MAX_FACTS, TaskStore

# What the instructions of one run may grow by.
RECALL_BUDGET = 1200
# How much of the day the distillation reads.
MATERIAL_LIMIT = 24_000
MATERIAL_RUNS = 200
FACT_LENGTH = 300
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


def _words(text: str) -> set[str]:
    return {
        word
        for word in _WORD.findall(text.casefold())
        if word not in _STOP_WORDS and len(word) > 1
    }


def _norm(subject: str, fact: str) -> str:
    """Return the de-duplication key: case, spacing and punctuation ignored."""
    return " ".join(_WORD.findall(f"{subject} :: {fact}".casefold()))


async def async_add_facts(
    store: TaskStore, facts: list[dict[str, Any]], trust: Trust
) -> tuple[int, int, int]:
    """Store facts; return how many were new, known, and left out (memory full)."""
    prepared = []
    for item in facts:
        subject = str(item["subject"]).strip()[:FACT_LENGTH]
        text = str(item["fact"]).strip()[:FACT_LENGTH]
        if subject and text:
            prepared.append(
                NewFact(
                    subject=subject,
                    fact=text,
                    confidence=min(max(float(item["confidence"]), 0.0), 1.0),
                    source=item.get("source"),
                    norm=_norm(subject, text),
                )
            )
    return await store.async_add_facts(prepared, trust)


async def async_search(
    store: TaskStore,
    query: str | None = None,
    limit: int = 20,
    *,
    trusted_only: bool = False,
) -> list[Fact]:
    """Return facts matching the query's words, best first (newest when no query)."""
    facts = await store.async_list_facts(trusted_only=trusted_only)
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
    return await store.async_forget_fact(fact_id)


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
    material = []
    for row in await store.async_runs_for_distillation(since, trust, MATERIAL_RUNS):
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


async def async_distill(hass: HomeAssistant, store: TaskStore, persona: Persona) -> str:
    """Distil the last day into facts; return what was stored, in a sentence.

    Trusted runs and outside material go to the AI task entity apart, with no
    tools either time, so that what outside text taught is marked as such.
    Raises HomeAssistantError when the AI task fails.
    """
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
