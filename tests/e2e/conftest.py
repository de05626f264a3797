"""End-to-end fixtures: real hass processes, no in-process Home Assistant."""

from collections.abc import Callable, Generator
from pathlib import Path

import pytest

from .harness import HassProcess
from .soak_probe import REPORT


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the in-process fixture: these tests start hass themselves."""


@pytest.fixture
def hass_process(
    tmp_path: Path, socket_enabled: None
) -> Generator[Callable[..., HassProcess]]:
    """Make hass processes on temp config folders; stop them all afterwards."""
    processes: list[HassProcess] = []

    def make(extra_yaml: str = "") -> HassProcess:
        process = HassProcess(tmp_path / f"config{len(processes)}", extra_yaml)
        processes.append(process)
        return process

    yield make
    for process in processes:
        process.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what the tests measured (loop stalls, memory) at the end of the run."""
    if REPORT:
        terminalreporter.section("measured")
        for line in REPORT:
            terminalreporter.write_line(line)
