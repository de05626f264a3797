"""Start delay of due tasks on a real Home Assistant process.

Schedules one-off tasks for the built-in Assist agent a few seconds ahead, over REST,
and reports how late each execution started after its due time.
"""

import argparse
from pathlib import Path
import statistics
import tempfile
import time

from homeassistant.util import dt as dt_util
from tests.e2e.harness import HassProcess


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Run the scenario and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        hass = HassProcess(Path(folder) / "config")
        hass.start()
        try:
            hass.onboard()
            hass.wait_for_integration()
            for number in range(args.tasks):
                # Spread due times over a few seconds, off the 10 s tick's phase.
                status, body = hass.call_service(
                    "schedule_task",
                    {
                        "agent": "conversation.home_assistant",
                        "prompt": "turn on the kitchen light",
                        "in": {"seconds": 3 + number * 0.137},
                    },
                )
                assert status == 200, body
            time.sleep(4 + args.tasks * 0.137 + 2)
            tasks = {
                t["task_id"]: t for t in hass.call_service("list_tasks")[1]["tasks"]
            }
            executions = hass.call_service("get_executions", {"limit": 1000})[1][
                "executions"
            ]
        finally:
            hass.stop()
    delays_ms = []
    for execution in executions:
        due = dt_util.parse_datetime(tasks[execution["task_id"]]["next_run"])
        started = dt_util.parse_datetime(execution["started"])
        assert due is not None
        assert started is not None
        delays_ms.append((started - due).total_seconds() * 1000)
    print(f"start delay of {len(delays_ms)} due tasks (real hass, REST-scheduled)")
    print("| p50 ms | p99 ms | max ms | mean ms |")
    print("| --- | --- | --- | --- |")
    print(
        f"| {percentile(delays_ms, 0.5):.2f} | {percentile(delays_ms, 0.99):.2f} "
        f"| {max(delays_ms):.2f} | {statistics.fmean(delays_ms):.2f} |"
    )


if __name__ == "__main__":
    main()
