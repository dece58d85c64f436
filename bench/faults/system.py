"""ContactPoint running as an operator runs it, for a fault scenario to break: ``contactpoint up`` in processes of its own.

Two supervisors: one for every process but audit, and one for audit alone, so that a scenario can
take the audit service down for a while (a supervisor restarts whatever it runs) and bring it back.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import psutil
import pyotp

from contactpoint.sandbox import free_port
from shared.principals import PROCESSES
from shared.settings import Settings
from tests.support import ENROLMENT_PATHS, enrol

COMMAND = [str(Path(sys.executable).with_name("contactpoint"))]
LA = "E08000035"
STOP_SECONDS = 60


def wait_until(check: Callable[[], object], timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f}s")
        time.sleep(interval)
    return result


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class System:
    def __init__(self, settings: Settings, log_dir: Path):
        self.settings = settings
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **settings.as_environment(), "CP_HTTP_ADDR": f"127.0.0.1:{self.port}"}
        self._log_dir = log_dir
        self._supervisors: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> System:
        self.start("main", *(p for p in PROCESSES if p != "audit"))
        self.start("audit", "audit")
        try:
            wait_until(self.portal_answers, timeout=180, what="the portal to answer")
        except TimeoutError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        for name in list(self._supervisors):
            self.stop(name)

    def start(self, supervisor: str, *names: str) -> None:
        with (self._log_dir / f"{supervisor}.log").open("ab") as log:
            self._supervisors[supervisor] = subprocess.Popen([*COMMAND, "up", *names], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                             start_new_session=True)

    def stop(self, supervisor: str) -> None:
        """Stops a supervisor and what it runs, cleanly (SIGTERM), or by force after a minute."""
        process = self._supervisors.pop(supervisor)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def service_pid(self, name: str) -> int | None:
        """The process running ``contactpoint run NAME`` under a supervisor, if one runs now."""
        for supervisor in self._supervisors.values():
            try:
                children = psutil.Process(supervisor.pid).children()
            except psutil.NoSuchProcess:
                continue
            for child in children:
                try:
                    if child.cmdline()[-2:] == ["run", name] and child.status() != psutil.STATUS_ZOMBIE:
                        return child.pid
                except psutil.NoSuchProcess:
                    continue
        return None

    def kill(self, name: str, restarted_within: float = 60) -> int:
        """kill -9 of one service's process; returns once its supervisor has started another."""
        pid = wait_until(lambda: self.service_pid(name), timeout=restarted_within, what=f"{name} to run")
        forked = psutil.Process(pid).children(recursive=True)
        os.kill(pid, signal.SIGKILL)
        restarted = wait_until(lambda: (p := self.service_pid(name)) and p != pid and p, timeout=restarted_within,
                               what=f"{name} to be started again")
        # What the service forked (the portal's HTTP worker) must end with it, not serve on beside the one started anew.
        wait_until(lambda: not any(map(alive, forked)), timeout=restarted_within, what=f"the processes {name} forked to end with it")
        return restarted

    def supervisors_running(self) -> bool:
        return all(p.poll() is None for p in self._supervisors.values())

    def portal_answers(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/api/openapi.json", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([*COMMAND, *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    def cli_json(self, *args: str) -> dict:
        done = self.cli(*args, "--json")
        if done.returncode != 0:
            raise RuntimeError(f"contactpoint {' '.join(args)}: {done.stderr.strip()}")
        return json.loads(done.stdout)

    def source(self, source_id: str) -> str:
        """A partner source of school records; returns its broker password."""
        return self.cli_json("sources", "add", source_id, "--name", "Fault test", "--la", LA, "--kinds", "school")["amqp_password"]

    def practitioner_token(self, username: str) -> str:
        today = date.today().isoformat()
        created = self.cli_json("users", "add", "--username", username, "--email", f"{username}@example.org", "--la", LA,
                                "--category", "social_worker", "--role", "practitioner", "--trained-on", today,
                                "--disclosure-on", today)
        account = enrol(created["enrolment_url"], self._enrolment_step)
        answer = httpx.post(f"{self.base_url}/api/v1/auth/login", timeout=30, json={
            "username": username, "password": account.password, "otp": pyotp.TOTP(account.totp_secret).now()})
        answer.raise_for_status()
        return answer.json()["access_token"]

    def _enrolment_step(self, request: str, body: dict) -> dict:
        """One step of enrolment through the portal, as the account's holder takes it from their link."""
        answer = httpx.post(f"{self.base_url}{ENROLMENT_PATHS[request]}", json=body, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def queue_depths(self) -> dict[str, tuple[int, int]]:
        """Each queue of the run's vhost that holds anything, as the management API counts it: (ready, unacknowledged)."""
        admin = urlsplit(self.settings.amqp_admin_url)
        try:
            queues = httpx.get(f"{admin.scheme}://{admin.hostname}:{admin.port}/api/queues/{quote(self.settings.vhost, safe='')}",
                               auth=(admin.username or "guest", admin.password or "guest"), timeout=10).json()
        except httpx.HTTPError as exc:
            return {"management API": str(exc)}
        return {q["name"]: (q.get("messages_ready", 0), q.get("messages_unacknowledged", 0)) for q in queues
                if q.get("messages_ready") or q.get("messages_unacknowledged")}

    def audit_verdict(self) -> str:
        """'' when ``audit verify`` finds the store intact, else what it says."""
        done = self.cli("audit", "verify")
        return "" if done.returncode == 0 else (done.stdout + done.stderr).strip()
