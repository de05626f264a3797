"""Install each language's sentences where Assist reads custom sentences.

Assist's built-in agent reads ``custom_sentences/<language>/*.yaml`` from the
config folder, for the language variant it chose (``de-CH`` reads its own
folder, not ``de``'s), so each of our languages is written for each of its
variants that Assist knows. Written by the integration, never by hand; Assist
reloads when a file changed.
"""

from pathlib import Path

from home_assistant_intents import get_languages

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.yaml import dump

from ..const import DOMAIN, LOGGER
from .language import VoiceLanguages

HEADER = (
    "# Written by the dland_assistant integration from its voice/languages "
    "folder;\n# it rewrites this file when it changes.\n"
)


def sentences_text(sentences: dict[str, object]) -> str:
    """Return the sentences file Assist reads for one language."""
    return HEADER + dump(sentences)


def variants(code: str, known: list[str]) -> list[str]:
    """Return the folders a language is written to: itself and its variants."""
    return [code, *(name for name in known if name.split("-")[0] == code != name)]


def _write_all(folder: Path, files: dict[str, str]) -> bool:
    """Write the files that differ; return whether any changed."""
    changed = False
    for name, text in files.items():
        path = folder / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed = True
    return changed


async def async_install_sentences(hass: HomeAssistant, voices: VoiceLanguages) -> None:
    """Install every language's sentences, and reload Assist if they changed."""
    known = await hass.async_add_executor_job(get_languages)
    files = {
        f"{variant}/{DOMAIN}.yaml": sentences_text(voice.sentences)
        for code, voice in voices.by_code.items()
        for variant in variants(code, known)
    }
    folder = Path(hass.config.path("custom_sentences"))
    try:
        changed = await hass.async_add_executor_job(_write_all, folder, files)
    except OSError as err:
        LOGGER.warning("Could not install the voice reminder sentences: %s", err)
        return
    if changed and hass.services.has_service("conversation", "reload"):
        try:
            await hass.services.async_call("conversation", "reload", {}, blocking=True)
        except (HomeAssistantError, OSError) as err:
            LOGGER.warning("Assist did not reload its sentences: %s", err)
