"""Blueprints shipped with the integration, copied into the config folder.

HACS installs only the integration's folder, so its blueprints travel inside it and
are copied to ``blueprints/automation/dland_assistant/`` at start when missing. A
blueprint already there (perhaps edited by the user) is never overwritten.
"""

from pathlib import Path
import shutil

from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER

SHIPPED = Path(__file__).parent / "blueprints" / "automation" / DOMAIN


def _install(target: Path) -> list[str]:
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for blueprint in sorted(SHIPPED.glob("*.yaml")):
        destination = target / blueprint.name
        if not destination.exists():
            shutil.copyfile(blueprint, destination)
            copied.append(blueprint.name)
    return copied


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Copy the shipped blueprints that the config folder does not have yet."""
    target = Path(hass.config.path("blueprints", "automation", DOMAIN))
    try:
        copied = await hass.async_add_executor_job(_install, target)
    except OSError as err:
        LOGGER.warning("Could not install the blueprints into %s: %s", target, err)
        return
    if copied:
        LOGGER.info("Installed blueprints %s into %s", ", ".join(copied), target)
