"""The card's strings: each one it says is in strings.json, and each there is said."""

import json
from pathlib import Path
import re

from custom_components.dland_assistant.const import CHANNELS
from custom_components.dland_assistant.models import ExecutionStatus, Trust

SOURCES = Path(__file__).parents[1] / "frontend" / "src"
STRINGS = Path(__file__).parents[1] / "custom_components" / "dland_assistant"


def _source() -> str:
    return "\n".join(path.read_text() for path in sorted(SOURCES.glob("*.js")))


def _kinds(source: str, name: str) -> list[str]:
    match = re.search(rf"{name} = \[([^\]]*)\]", source)
    assert match
    return re.findall(r'"([a-z]+)"', match[1])


def _when_kinds(source: str) -> list[str]:
    """The times, then the moments (spread into the list)."""
    kinds = _kinds(source, "WHEN_KINDS")
    assert "...MOMENT_KINDS" in source
    return kinds + _kinds(source, "MOMENT_KINDS")


def test_every_string_the_card_says_is_translatable_and_none_is_left_over() -> None:
    """Static keys (t("…"), a details item), and the keys built from values."""
    source = _source()
    used = set(re.findall(r'\bt\("([a-z_]+)"', source))
    used |= set(re.findall(r'item\("([a-z_]+)"', source))
    # Keys made from a value: each value the card can meet.
    dynamic = {
        "breaker_": ["closed", "half_open", "open"],
        "when_": _when_kinds(source),
        "field_every_": ["minutes", "hours"],
        "option_": ["title", "executions"],
        "trust_": [trust.value for trust in Trust],
    }
    for prefix, values in dynamic.items():
        assert f"t(`{prefix}${{" in source, prefix
        used |= {prefix + value for value in values}
    common = json.loads((STRINGS / "strings.json").read_text())["common"]
    # moment_* strings are said by the integration (moments/words.py), not the card.
    card = {key for key in common if not key.startswith("moment_")}
    assert sorted(used - card) == []
    assert sorted(card - used) == []
    built = json.loads((STRINGS / "translations" / "en.json").read_text())
    assert built["common"] == common


def test_option_labels_the_card_borrows_exist() -> None:
    """Statuses, channels, actions and policies are the actions' own labels."""
    source = _source()
    borrowed = set(re.findall(r't\.option\("([a-z_]+)"', source))
    assert borrowed == {
        "channel",
        "execution_status",
        "missed_run_policy",
        "task_action",
        "task_status",
    }
    selector = json.loads((STRINGS / "strings.json").read_text())["selector"]
    assert borrowed <= selector.keys()
    assert set(CHANNELS) <= selector["channel"]["options"].keys()
    assert {status.value for status in ExecutionStatus} <= selector["execution_status"][
        "options"
    ].keys()
