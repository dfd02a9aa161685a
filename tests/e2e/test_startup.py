"""Start-up under bad configuration (issue 11.3, 11.6): `python -m bot` says what to fix in one
line and exits non-zero, and a second bot on one SQLite file refuses to start.

Each case runs the real `python -m bot` as a subprocess. Read-only files and folders are made
for real: with chmod, or as root (whom chmod does not stop) with `chattr +i`.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.emulator import DiscordEmulator
from bot.harness import TOKEN, BotProcess, build_world

pytestmark = pytest.mark.e2e



@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` (a file or a folder) can't be written, even by root, until the block ends."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def run_bot(
    database_url: str,
    *,
    token: str = "x",
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    environment.update(
        DISCORD_TOKEN=token,
        DATABASE_URL=database_url,
        # Nothing listens here: a bot that got past its database would fail to log in.
        DISCORD_API_BASE="http://127.0.0.1:9/api/v10",
        DISCORD_GATEWAY_URL="ws://127.0.0.1:9/",
    )
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env=environment,
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=timeout,  # "never exits" fails here
    )


def one_line(result: subprocess.CompletedProcess[str], *, after_logs: bool = False) -> str:
    """The single line the operator sees; fails on tracebacks or several lines. With
    `after_logs` (the bot got as far as logging in), it is the last line after the log."""
    assert result.returncode != 0, result
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in result.stderr, result.stderr
    if not after_logs:
        assert len(lines) == 1, result.stderr
    assert lines[-1].startswith("error: "), result.stderr
    return lines[-1]


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"These are my meeting notes, not a database.\n" * 200)
    line = one_line(run_bot(f"sqlite:///{path}", cwd=tmp_path))
    assert "not an SQLite database" in line and str(path) in line


def test_a_read_only_database_file(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "concord.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE x (y)")
    conn.close()
    with read_only(path), read_only(folder):
        line = one_line(run_bot(f"sqlite:///{path}", cwd=tmp_path))
    assert "can't write" in line and str(path) in line


def test_an_unwritable_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder):
        line = one_line(run_bot(f"sqlite:///{folder}/sub/concord.db", cwd=tmp_path))
    assert "can't" in line and str(folder) in line


def test_an_unknown_scheme(tmp_path: Path) -> None:
    line = one_line(run_bot("mysql://localhost/concord", cwd=tmp_path))
    assert "sqlite:///" in line and "postgresql://" in line


def test_an_unknown_postgresql_database(tmp_path: Path) -> None:
    line = one_line(run_bot("postgresql://postgres@127.0.0.1:5432/no_such_concord_db", cwd=tmp_path))
    assert "no_such_concord_db" in line and "does not exist" in line


def test_an_unreachable_postgresql_server(tmp_path: Path) -> None:
    line = one_line(run_bot("postgresql://postgres@127.0.0.1:9/concord", cwd=tmp_path))
    assert "can't reach PostgreSQL at 127.0.0.1:9" in line


async def test_a_wrong_token(tmp_path: Path) -> None:
    async with DiscordEmulator(token=TOKEN) as emu:
        env = {"DISCORD_API_BASE": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}
        result = await asyncio.to_thread(
            run_bot, f"sqlite:///{tmp_path}/c.db", token="not-the-token", cwd=tmp_path, env=env
        )
    line = one_line(result, after_logs=True)
    assert "DISCORD_TOKEN" in line and "rejected" in line
    # Concord has no voice: discord.py's warnings about voice libraries are not logged.
    assert "PyNaCl" not in result.stderr and "davey" not in result.stderr, result.stderr


@pytest.mark.slow
async def test_a_second_process_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    async with DiscordEmulator(token=TOKEN) as emu:
        build_world(emu)
        url = f"sqlite:///{tmp_path}/concord.db"
        first = BotProcess(emu, url, log_path=tmp_path / "first.log")
        await first.start()
        try:
            env = {"DISCORD_API_BASE": emu.api_base, "DISCORD_GATEWAY_URL": emu.gateway_url}
            result = await asyncio.to_thread(
                run_bot, url, token=emu.token, cwd=tmp_path, env=env
            )
            line = one_line(result)
            assert "another Concord process" in line and "PostgreSQL" in line
            assert emu.identify_count == 1  # the second never connected
        finally:
            await first.stop()
        # Once the first has stopped, the file is free again.
        again = BotProcess(emu, url, log_path=tmp_path / "again.log")
        await again.start()
        await again.stop()
