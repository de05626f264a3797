"""Storage faults on a real hass: a corrupt file, a read-only file, a full disk."""

from collections.abc import Callable, Generator
import errno
import os
from pathlib import Path
import sqlite3
import subprocess
import time
from typing import Any

import pytest

from .harness import HassProcess, wait_for

pytestmark = pytest.mark.e2e

DATABASE = "dland_assistant.db"
GARBAGE = b"this is not an SQLite database, a disk error wrote over it\n" * 200


def _schedule(hass: HassProcess, name: str, **when: Any) -> tuple[int, Any]:
    return hass.call_service(
        "schedule_task",
        {
            "agent": "conversation.home_assistant",
            "prompt": "turn on the kitchen light",
            "name": name,
            "deliver": False,
            **(when or {"in": {"days": 1}}),
        },
    )


def _stored_tasks(hass: HassProcess) -> dict[str, str]:
    """Task names and statuses, read from the SQLite file itself."""
    path = hass.config_dir / DATABASE
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT name, status FROM tasks").fetchall())


def _entry(hass: HassProcess) -> dict[str, Any]:
    status, entries = hass.request(
        "GET", "/api/config/config_entries/entry?domain=dland_assistant"
    )
    assert status == 200, entries
    entry: dict[str, Any] = entries[0]
    return entry


def _repair_issues(hass: HassProcess) -> dict[str, dict[str, Any]]:
    [answer] = hass.websocket({"type": "repairs/list_issues"})
    return {
        issue["issue_id"]: issue
        for issue in answer["issues"]
        if issue["domain"] == "dland_assistant"
    }


def test_corrupt_database_is_moved_aside_and_a_repair_explains_it(
    hass_process: Callable[..., HassProcess],
) -> None:
    """The garbage is kept, a new database works, and a repair issue says so."""
    hass = hass_process().start_onboarded()
    status, body = _schedule(hass, "Before the corruption")
    assert status == 200, body
    hass.stop()

    database = hass.config_dir / DATABASE
    database.write_bytes(GARBAGE)
    for suffix in ("-wal", "-shm"):
        database.with_name(DATABASE + suffix).unlink(missing_ok=True)
    hass.start()
    hass.wait_for_integration()

    [aside] = hass.config_dir.glob(f"{DATABASE}.corrupt-*")
    assert aside.read_bytes() == GARBAGE  # nothing thrown away
    assert hass.call_service("list_tasks")[1]["tasks"] == []
    issues = _repair_issues(hass)
    assert issues["database_recreated"]["severity"] == "error"
    assert issues["database_recreated"]["translation_placeholders"]["path"] == str(
        aside
    )

    # The new database works: a task scheduled now runs.
    status, body = _schedule(hass, "After the corruption", **{"in": {"seconds": 1}})
    assert status == 200, body
    wait_for(
        lambda: _stored_tasks(hass).get("After the corruption") == "succeeded",
        30,
        "the new task to run",
    )


@pytest.fixture
def read_only(tmp_path: Path) -> Generator[Callable[[Path, bool], None]]:
    """Make a file read-only and writable again, as a read-only mount would."""
    mounted: list[Path] = []

    def make(path: Path, read_only: bool) -> None:
        if os.geteuid() != 0:  # permissions bind an ordinary user
            path.chmod(0o444 if read_only else 0o644)
        elif read_only:  # root ignores permissions, not a read-only mount
            subprocess.run(["mount", "--bind", path, path], check=True)
            subprocess.run(["mount", "-o", "remount,ro,bind", path, path], check=True)
            mounted.append(path)
        else:
            subprocess.run(["umount", path], check=True)
            mounted.remove(path)

    yield make
    for path in mounted:
        subprocess.run(["umount", path], check=False)


def test_read_only_database_is_a_clear_error_and_loses_nothing(
    hass_process: Callable[..., HassProcess],
    read_only: Callable[[Path, bool], None],
) -> None:
    """Set-up waits with a translated reason; once writable, every task is back."""
    hass = hass_process().start_onboarded()
    names = [f"Kept {n}" for n in range(5)]
    for name in names:
        assert _schedule(hass, name)[0] == 200
    status, body = _schedule(hass, "Due while read-only", **{"in": {"seconds": 20}})
    assert status == 200, body
    hass.stop()

    database = hass.config_dir / DATABASE
    before = database.read_bytes()
    read_only(database, True)
    hass.start()
    entry = wait_for(
        lambda: (e := _entry(hass))["state"] == "setup_retry" and e,
        60,
        "the entry to wait for its database",
    )
    assert entry["reason"] == (
        "The task database could not be opened: attempt to write a readonly database"
    )
    status, answer = hass.call_service("list_tasks")
    assert status == 400, answer  # a translated "not loaded", not a crash
    assert database.read_bytes() == before  # nothing was written or truncated

    read_only(database, False)
    time.sleep(20)  # the due time passes while the integration is not running
    status, body = hass.request(
        "POST", f"/api/config/config_entries/entry/{entry['entry_id']}/reload"
    )
    assert status == 200, body
    hass.wait_for_integration()
    wait_for(
        lambda: _stored_tasks(hass).get("Due while read-only") == "succeeded",
        30,
        "the task due meanwhile to run once",
    )
    tasks = _stored_tasks(hass)
    assert {name: tasks[name] for name in names} == dict.fromkeys(names, "scheduled")
    assert "ERROR (MainThread) [custom_components.dland_assistant" not in hass.log


@pytest.fixture
def small_disk(tmp_path: Path) -> Generator[Path]:
    """A 64 MB tmpfs to hold a config folder, so the disk can really fill up."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root (CI runs as root)")
    folder = tmp_path / "small_disk"
    folder.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", folder], check=True
    )
    yield folder
    subprocess.run(["umount", "--lazy", folder], check=False)


def _fill(folder: Path) -> Path:
    """Fill the file system to its last byte; return the filler file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as file:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    file.write(b"\0" * chunk)
            except OSError as err:
                if err.errno != errno.ENOSPC:
                    raise
    return filler


def test_full_disk_is_a_clear_error_and_loses_nothing(
    small_disk: Path, socket_enabled: None
) -> None:
    """While full, writes fail with a clear message; afterwards all is there."""
    hass = HassProcess(small_disk / "config")
    try:
        hass.start_onboarded()
        for number in range(3):
            assert _schedule(hass, f"Before {number}")[0] == 200
        status, body = _schedule(hass, "Due while full", **{"in": {"seconds": 15}})
        assert status == 200, body
        due = time.time() + 15
        # Home Assistant saves its users a second after a change (here: the
        # integration's own users, made at its first start); a disk that fills
        # before then loses them and the login, which is Home Assistant's store,
        # not what this test is about.
        auth = small_disk / "config" / ".storage" / "auth"
        wait_for(
            lambda: auth.exists() and "(outside events)" in auth.read_text(),
            10,
            "Home Assistant to save its users",
        )
        filler = _fill(small_disk)

        # SQLite reuses the space its write-ahead log already has, so a few writes
        # may still fit; the first one that needs more space must fail clearly.
        accepted = []
        for number in range(500):
            status, body = _schedule(hass, f"While full {number}")
            if status != 200:
                break
            accepted.append(f"While full {number}")
        else:
            raise AssertionError("500 tasks fitted on a full disk")
        assert status == 500, body  # a server-side fault, said plainly
        assert body["message"] == (
            "The task database could not be used: database or disk is full"
        ), body
        assert hass.call_service("list_tasks")[0] == 200  # reading still works
        time.sleep(max(0, due - time.time() + 3))  # it falls due while full
        # Its claim could not be written, so it is still waiting, not half-run,
        # and Settings → Repairs says why (the log is on the full disk too).
        assert _stored_tasks(hass)["Due while full"] == "scheduled"
        assert "database_unwritable" in _repair_issues(hass)
        filler.unlink()
        status, body = _schedule(hass, "After the disk has room")
        assert status == 200, body
        wait_for(
            lambda: _stored_tasks(hass).get("Due while full") == "succeeded",
            60,
            "the task due while full to run",
        )
        assert "database_unwritable" not in _repair_issues(hass)
        hass.stop()  # what is stored survives a restart
        hass.start()
        hass.wait_for_integration()
        stored = {t["name"] for t in hass.call_service("list_tasks")[1]["tasks"]}
        expected = {f"Before {n}" for n in range(3)} | set(accepted)
        assert expected | {"After the disk has room"} <= stored
        assert f"While full {len(accepted)}" not in stored  # refused, not half-kept
    finally:
        hass.stop()
