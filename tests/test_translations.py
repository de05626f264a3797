"""Every translation has exactly the keys of strings.json, and keeps its placeholders.

A contributor adding a language runs ``scripts/test tests/test_translations.py``:
each missing, extra or empty string, and each placeholder lost or renamed, is
listed by its path.
"""

from collections.abc import Iterator
import json
from pathlib import Path
import re

import pytest

COMPONENT = Path(__file__).parents[1] / "custom_components" / "dland_assistant"
TRANSLATIONS = COMPONENT / "translations"
# The languages the integration speaks; a new file here is checked the same way.
LANGUAGES = {"en", "de", "fr", "es", "nl", "it", "pl"}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def problems(english: object, translated: object, path: str = "") -> Iterator[str]:
    """Yield what is wrong with ``translated`` against ``english``, by path."""
    if isinstance(english, dict):
        if not isinstance(translated, dict):
            yield f"{path}: should be an object"
            return
        for key in english.keys() - translated.keys():
            yield f"{path}.{key}: missing"
        for key in translated.keys() - english.keys():
            yield f"{path}.{key}: not in strings.json"
        for key in english.keys() & translated.keys():
            yield from problems(english[key], translated[key], f"{path}.{key}")
        return
    if not isinstance(translated, str) or not translated.strip():
        yield f"{path}: empty"
        return
    assert isinstance(english, str)
    wanted = sorted(PLACEHOLDER.findall(english))
    found = sorted(PLACEHOLDER.findall(translated))
    if wanted != found:
        yield f"{path}: placeholders {found}, should be {wanted}"


def test_the_languages_are_all_there() -> None:
    """A file per language, and none unaccounted for."""
    assert {path.stem for path in TRANSLATIONS.glob("*.json")} == LANGUAGES


@pytest.mark.parametrize("language", sorted(LANGUAGES - {"en"}))
def test_translation_has_exactly_the_keys_of_strings_json(language: str) -> None:
    """Same keys as the English (strings.json resolved), none empty, same {…}."""
    english = json.loads((TRANSLATIONS / "en.json").read_text())
    translated = json.loads((TRANSLATIONS / f"{language}.json").read_text())
    assert sorted(problems(english, translated)) == []
    assert translated != english


def test_the_check_finds_what_a_contributor_gets_wrong() -> None:
    """Missing, extra, empty, and a placeholder translated away."""
    english = {"a": {"b": "Hello {name}", "c": "Bye"}, "d": "x"}
    translated = {"a": {"b": "Hallo {Name}", "e": "?"}, "d": " "}
    assert sorted(problems(english, translated)) == [
        ".a.b: placeholders ['{Name}'], should be ['{name}']",
        ".a.c: missing",
        ".a.e: not in strings.json",
        ".d: empty",
    ]
