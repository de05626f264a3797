"""Packaging: pins agree, translations and service descriptions are complete."""

import json
from pathlib import Path
import re

import yaml

from custom_components.dland_assistant import services
from homeassistant.const import __version__ as HA_VERSION

ROOT = Path(__file__).parents[1]
COMPONENT = ROOT / "custom_components" / "dland_assistant"


def _pins(path: Path) -> set[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return {line for line in lines if line and not line.startswith(("#", "-r"))}


def test_manifest_requirements_match_the_pins() -> None:
    """manifest.json pins exactly what requirements.txt pins."""
    manifest = json.loads((COMPONENT / "manifest.json").read_text())
    assert set(manifest["requirements"]) == _pins(ROOT / "requirements.txt")


def test_hacs_minimum_is_the_tested_version() -> None:
    """hacs.json names the Home Assistant version the tests run on."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs["homeassistant"] == HA_VERSION


def test_english_translation_is_strings_json() -> None:
    """translations/en.json is strings.json with references resolved."""
    strings = json.loads((COMPONENT / "strings.json").read_text())
    english = json.loads((COMPONENT / "translations" / "en.json").read_text())
    assert strings.keys() == english.keys()
    assert strings["exceptions"] == english["exceptions"]
    assert strings["services"] == english["services"]


def test_every_service_and_field_is_described() -> None:
    """services.yaml and strings.json describe every service and field."""
    described = yaml.safe_load((COMPONENT / "services.yaml").read_text())
    strings = json.loads((COMPONENT / "strings.json").read_text())["services"]
    schemas = {
        services.SERVICE_SCHEDULE_TASK: services.SCHEDULE_TASK_SCHEMA,
        services.SERVICE_UPDATE_TASK: services.UPDATE_TASK_SCHEMA,
        services.SERVICE_CANCEL_TASK: services.TASK_ID_SCHEMA,
        services.SERVICE_RUN_TASK: services.TASK_ID_SCHEMA,
        services.SERVICE_SET_TASK_ENABLED: services.SET_TASK_ENABLED_SCHEMA,
        services.SERVICE_LIST_TASKS: services.LIST_TASKS_SCHEMA,
        services.SERVICE_GET_EXECUTIONS: services.GET_EXECUTIONS_SCHEMA,
        services.SERVICE_WAKEUP: services.WAKEUP_SCHEMA,
        services.SERVICE_RUN_ROUTINE: services.RUN_ROUTINE_SCHEMA,
        services.SERVICE_SET_ROUTINE_ENABLED: services.SET_ROUTINE_ENABLED_SCHEMA,
        services.SERVICE_LIST_FACTS: services.LIST_FACTS_SCHEMA,
        services.SERVICE_FORGET_FACT: services.FORGET_FACT_SCHEMA,
        services.SERVICE_GET_AUDITS: services.GET_AUDITS_SCHEMA,
    }
    assert set(described) == set(schemas) == set(strings)
    for name, schema in schemas.items():
        keys = {str(key) for key in schema.schema}
        assert set(described[name]["fields"]) == keys, name
        assert set(strings[name]["fields"]) == keys, name


def test_every_translation_key_is_translated() -> None:
    """Each translation_key used in the code has a text."""
    strings = json.loads((COMPONENT / "strings.json").read_text())
    source = "\n".join(p.read_text() for p in COMPONENT.glob("*.py"))
    raised = set(re.findall(r'invalid\("([a-z_]+)"', source))
    assert raised
    assert raised <= set(strings["exceptions"])
    keys = set(re.findall(r'translation_key="([a-z_]+)"', source))
    entity_keys = {key for platform in strings["entity"].values() for key in platform}
    known = (
        set(strings["exceptions"])
        | set(strings["issues"])
        | set(strings["selector"])
        | entity_keys
    )
    assert keys <= known
    # Entity translation keys set as class attributes, and their icons.
    icons = json.loads((COMPONENT / "icons.json").read_text())["entity"]
    for platform, entities in strings["entity"].items():
        assert set(entities) == set(icons[platform]), platform
