"""The demo's own PostgreSQL server: started and stopped by the demo, never as root, never left running."""
import os
import pwd
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from contactpoint.demo_database import UNPRIVILEGED_USER, demo_database, make_passable

pytestmark = pytest.mark.integration

started_by_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root is refused by PostgreSQL")


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def server_pid(folder: Path) -> int:
    return int((folder / "data" / "postmaster.pid").read_text().split()[0])


def owner_of_process(pid: int) -> int:
    return os.stat(f"/proc/{pid}").st_uid


def is_running(pid: int) -> bool:
    """Alive, and not a zombie that no one has reaped yet."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_the_server_has_the_matching_extensions_and_is_stopped_on_leaving(tmp_path):
    folder = tmp_path / "postgres"
    with demo_database(folder) as url, psycopg.connect(libpq(url), autocommit=True) as connection:
        connection.execute("CREATE EXTENSION pg_trgm")
        connection.execute("CREATE EXTENSION fuzzystrmatch")
        assert connection.execute("SELECT levenshtein('smith', 'smyth'), similarity('smith', 'smith')").fetchone() == (1, 1.0)
        pid = server_pid(folder)

    assert not is_running(pid)


def test_no_one_signs_in_without_the_password_it_was_given(tmp_path):
    with demo_database(tmp_path / "postgres") as url:
        without_password = libpq(url).replace(url.split("//")[1].split("@")[0], "postgres")
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(without_password).close()


@started_by_root
def test_started_by_root_the_server_runs_as_an_unprivileged_user_through_folders_it_could_not_pass(tmp_path):
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    folder = closed / "postgres"
    with demo_database(folder) as url, psycopg.connect(libpq(url)) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
        assert owner_of_process(server_pid(folder)) == pwd.getpwnam(UNPRIVILEGED_USER).pw_uid

    assert stat.S_IMODE(closed.stat().st_mode) == 0o701


@started_by_root
def test_folders_are_made_passable_but_not_readable_and_only_where_they_were_not(tmp_path):
    nobody = pwd.getpwnam(UNPRIVILEGED_USER)
    closed, open_to_group, open_to_all = tmp_path / "closed", tmp_path / "closed" / "group", tmp_path / "closed" / "group" / "all"
    for folder, mode in ((closed, 0o700), (open_to_group, 0o750), (open_to_all, 0o755)):
        folder.mkdir()
        folder.chmod(mode)

    changed = make_passable(open_to_all / "data", nobody)

    assert [folder for folder in changed if tmp_path in folder.parents] == [closed, open_to_group]
    assert [stat.S_IMODE(folder.stat().st_mode) for folder in (closed, open_to_group, open_to_all)] == [0o701, 0o751, 0o755]
    assert make_passable(open_to_all / "data", nobody) == []


def test_a_server_left_running_by_a_killed_demo_is_stopped_by_the_next(tmp_path):
    folder = tmp_path / "postgres"
    killed = subprocess.run([sys.executable, "-c", (
        "import os, signal, sys; from pathlib import Path; from contactpoint.demo_database import demo_database\n"
        "with demo_database(Path(sys.argv[1])): os.kill(os.getpid(), signal.SIGKILL)"
    ), str(folder)], cwd=Path(__file__).parents[3])
    assert killed.returncode == -9
    left_running = server_pid(folder)

    with demo_database(folder):
        assert server_pid(folder) != left_running
        assert not is_running(left_running)
