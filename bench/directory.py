"""Directory search at national size: candidates, latency and CPU per search as the population grows to 11 million.

The directory is grown to each size of ``SIZES`` up to CP_BENCH_CHILDREN (default 1,000,000;
up to 11,000,000): synthetic children are COPYed straight into its tables, their indexes
dropped before and built after (this measures search, not ingestion). Before each size the
free disk is checked against the bytes per child measured so far, and a size that would not
fit is skipped, and said so. At each size it prints:
- load time, and bytes per child on disk (table and indexes);
- candidates read per search (mean, p95, max), in-process, for exact searches, for the matching
  test set's slips (with the share where the right child comes first) and for the last resort;
- closed loop: CP_BENCH_CLIENTS (default 20) clients that never pause, CP_BENCH_SEARCHES
  (default 4,000) searches by family name, given name and date of birth through the HTTP API,
  each audited before it is answered, then a quarter as many with names that sound like no
  child's (the last resort) and a quarter by names and postcode: the rate (capacity) and each
  process's CPU per search; base: the same candidate lookups sent straight to PostgreSQL;
- open loop: requests arriving at random at CP_BENCH_RATE (default 150) a second for
  CP_BENCH_SECONDS (default 20), 60% searches and 40% record reads, p50/p95/p99 from arrival
  to answer, beside the raw lookups at the same rate;
- each service's memory (RSS).
"""
from __future__ import annotations

import http.client
import itertools
import json
import os
import random
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psycopg
import pyotp
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.processes import Running, services
from bench.report import Report, cpu_seconds, stopwatch
from contactpoint import synthetic
from contactpoint.embedded import enrolled_as_holder
from contactpoint.sandbox import free_port
from contactpoint.slips import searched_for
from services.directory.handlers import keys_of, row_of
from services.directory.matching import dated_keys_of, dates_meant, named_keys
from services.directory.queries import SearchTooBroad, search
from services.identity.bootstrap import bootstrap as identity_service
from shared.contracts.requests import ADD_USER
from shared.contracts.validators import normal_postcode, postcode_district
from shared.db import json_text
from shared.principals import PRACTITIONER
from shared.settings import Settings

SIZES = (100_000, 1_000_000, 3_000_000, 11_000_000)
CHILDREN_COLUMNS = (
    "contactpoint_id", "version", "la_code", "active", "shielded", "family_name", "family_key", "given_names",
    "former_family_keys", "date_of_birth", "gender", "postcode", "nhs_number", "upn", "retain_to_25", "record",
)
JSON_COLUMNS = {"given_names", "former_family_keys", "record"}
TABLES = ("directory.children", "directory.search_keys")
SCORED = "contactpoint_id, shielded, family_name, given_names, former_family_keys, date_of_birth, gender, postcode, nhs_number, upn"
KEYED = "SELECT contactpoint_id FROM directory.search_keys WHERE key = ANY(%({})s)"
# The lookups a search makes, sent straight to PostgreSQL: the namesakes (where a search by exact names stops), the last
# resort by initials, names or postcode without a date; and a record read.
RAW_LOOKUP = (f"SELECT {SCORED} FROM directory.children WHERE active AND date_of_birth = ANY(%(dates)s) "
              f"AND contactpoint_id IN ({KEYED.format('by_family')} INTERSECT {KEYED.format('by_given')})")
RAW_BY_INITIALS = (f"SELECT {SCORED} FROM directory.children WHERE active AND date_of_birth = ANY(%(dates)s) "
                   f"AND contactpoint_id IN ({KEYED.format('keys')})")
RAW_BY_NAMES_OR_POSTCODE = (f"SELECT {SCORED} FROM directory.children WHERE active AND contactpoint_id IN "
                            f"({KEYED.format('keys')} UNION SELECT contactpoint_id FROM directory.children WHERE postcode = %(postcode)s)")
RAW_READ = "SELECT record FROM directory.children WHERE contactpoint_id = %(contactpoint_id)s"
SAMPLE_EVERY = 200
COPY_BATCH = 50_000
# Bytes a child takes before any is measured, and the disk left free for everyone else.
FIRST_GUESS_BYTES = 4_000
DISK_RESERVE = 15 * 2**30
SEARCHES_SHARE = 0.6
SERVICES = ("identity", "audit", "directory", "portal")


def run(settings: Settings, report: Report) -> None:
    largest = int(os.environ.get("CP_BENCH_CHILDREN", 1_000_000))
    clients = int(os.environ.get("CP_BENCH_CLIENTS", 20))
    searches = int(os.environ.get("CP_BENCH_SEARCHES", 4000))
    rate, seconds = float(os.environ.get("CP_BENCH_RATE", 150)), float(os.environ.get("CP_BENCH_SECONDS", 20))
    sizes = [size for size in SIZES if size < largest] + [largest]
    directory = Population(settings, largest)
    for at, size in enumerate(sizes):
        room = directory.room_for()
        if size > room:
            report.note(f"skipped {', '.join(f'{s:,}' for s in sizes[at:])} children: {directory.free_bytes() / 2**30:.0f} GB free "
                        f"holds about {room:,} at {directory.bytes_per_child():,.0f} bytes a child (keeping {DISK_RESERVE / 2**30:.0f} GB free)")
            break
        report.note("")
        report.note(f"--- {size:,} children ---")
        with stopwatch() as loading:
            directory.grow_to(size)
        report.note(f"loaded to {size:,} children with COPY, indexes built after, in {loading():.0f} s; "
                    f"{directory.bytes_per_child():,.0f} bytes a child on disk ({directory.sizes()})")
        measure(settings, report, directory, clients=clients, searches=searches, rate=rate, seconds=seconds)


class Population:
    """The directory's tables, grown a size at a time from one synthetic population; a sample of its children kept as truths."""

    tables = TABLES
    # Whether a load drops the tables' primary keys too (not one another table's foreign key refers to).
    without_primary_keys = True

    def __init__(self, settings: Settings, largest: int, seed: int = 2024):
        self.libpq = _libpq(settings)
        self.people = iter(synthetic.population(largest, seed=seed))
        self.rng = random.Random(1)
        self.held = 0
        self.sampled: list[dict] = []

    def grow_to(self, size: int) -> None:
        with psycopg.connect(self.libpq) as connection:
            connection.execute("SET maintenance_work_mem = '512MB'")
            indexes = _drop_indexes(connection, self.tables, self.without_primary_keys)
            with connection.cursor() as cursor:
                while self.held < size and (batch := list(itertools.islice(self.people, min(COPY_BATCH, size - self.held)))):
                    self._copy(cursor, batch)
                    self.held += len(batch)
            for definition in indexes:
                connection.execute(definition)
            connection.commit()
            # VACUUM as autovacuum would after a load: it marks pages all-visible, which index-only scans need.
            connection.autocommit = True
            for table in self.tables:
                connection.execute(f"VACUUM (ANALYZE) {table}")

    def _copy(self, cursor, batch) -> list[dict]:
        """COPYs a batch of children; returns them as the directory holds them (``feeds.child.merged`` snapshots)."""
        snapshots = [_as_loaded(synthetic.merged_snapshot(child, self.rng), child) for child in batch]
        with cursor.copy(f"COPY directory.children ({', '.join(CHILDREN_COLUMNS)}) FROM STDIN") as children:
            for snapshot in snapshots:
                columns = row_of(snapshot)
                children.write_row([json_text(columns[name]) if name in JSON_COLUMNS else columns[name] for name in CHILDREN_COLUMNS])
        with cursor.copy("COPY directory.search_keys (key, contactpoint_id) FROM STDIN") as keys:
            for snapshot in snapshots:
                for key in keys_of(snapshot):
                    keys.write_row((key, snapshot["contactpoint_id"]))
        self.sampled += [{"contactpoint_id": snapshot["contactpoint_id"], "family_name": child.family_name, "given_names": list(child.given_names),
                          "date_of_birth": child.date_of_birth.isoformat(), "postcode": child.postcode}
                         for child, snapshot in zip(batch[::SAMPLE_EVERY], snapshots[::SAMPLE_EVERY])]
        return snapshots

    def on_disk(self) -> dict[str, int]:
        with psycopg.connect(self.libpq) as connection:
            return {table: connection.execute(f"SELECT pg_table_size('{table}'), pg_indexes_size('{table}')").fetchone() for table in self.tables}

    def bytes_per_child(self) -> float:
        return sum(sum(sizes) for sizes in self.on_disk().values()) / self.held if self.held else FIRST_GUESS_BYTES

    def sizes(self) -> str:
        return ", ".join(f"{table.split('.')[1]} {heap / 2**20:,.0f} MB + indexes {indexes / 2**20:,.0f} MB"
                         for table, (heap, indexes) in self.on_disk().items())

    def free_bytes(self) -> int:
        with psycopg.connect(self.libpq) as connection:
            try:
                where = connection.execute("SHOW data_directory").fetchone()[0]
            except psycopg.Error:  # not a superuser: the disk this process is on
                where = "/"
        return shutil.disk_usage(where if Path(where).exists() else "/").free

    def room_for(self) -> int:
        """The most children the free disk holds, at the bytes a child has taken so far (half as much again for index builds)."""
        return self.held + int(max(self.free_bytes() - DISK_RESERVE, 0) / (self.bytes_per_child() * 1.5))


def _as_loaded(snapshot: dict, child: synthetic.Child) -> dict:
    """The snapshot as ``ChildMergedSchema`` loads it, as far as the directory reads it: its date of birth a date.

    Loading each through the schema would double the time the population takes to grow (11 million children at the most).
    """
    snapshot["demographics"]["date_of_birth"] = child.date_of_birth
    return snapshot


def _drop_indexes(connection, tables: tuple[str, ...], primary_keys: bool) -> list[str]:
    """Drops the tables' indexes, and with ``primary_keys`` their primary keys (a load is faster without them); returns the
    statements that make them again."""
    constraints = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'p' AND conrelid = ANY(%s::regclass[])", [list(tables)]).fetchall() if primary_keys else []
    indexes = connection.execute(
        "SELECT schemaname || '.' || indexname, indexdef FROM pg_indexes WHERE schemaname || '.' || tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))", [list(tables)]).fetchall()
    for table, name, _ in constraints:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        connection.execute(f"DROP INDEX {name}")
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in constraints] + [d for _, d in indexes]


def measure(settings: Settings, report: Report, directory: Population, *, clients: int, searches: int, rate: float, seconds: float) -> None:
    rng = random.Random(3)
    chosen = [rng.choice(directory.sampled) for _ in range(searches)]
    criteria = [{"family_name": child["family_name"], "given_name": child["given_names"][0], "date_of_birth": child["date_of_birth"]}
                for child in chosen]
    # Names that sound like no child's, with a child's initials: the last resort reads the children born on the dates meant
    # with those initials, and finds no one.
    unheard = [{**wanted, "family_name": wanted["family_name"][0] + "qwyxz", "given_name": wanted["given_name"][0] + "vrekk"}
               for wanted in criteria[: searches // 4]]
    by_postcode = [{"family_name": child["family_name"], "given_name": child["given_names"][0], "postcode": child["postcode"]}
                   for child in chosen[: searches // 4]]
    candidates(settings, report, directory, criteria, unheard)

    base = report.latencies("raw PostgreSQL candidate lookup", closed_loop(_raw(settings, RAW_LOOKUP), criteria, clients))
    last_resort = report.latencies("raw lookup by initials (the last resort)", closed_loop(_raw(settings, RAW_BY_INITIALS), unheard, clients))
    at_postcode = report.latencies("raw lookup by names or postcode", closed_loop(_raw(settings, RAW_BY_NAMES_OR_POSTCODE), by_postcode, clients))
    arrivals = _arrivals(directory, chosen, rate, seconds)
    raw_search, raw_read = _raw(settings, RAW_LOOKUP), _raw(settings, RAW_READ, as_is=True)
    raw_open = open_loop(lambda kind, wanted: (raw_search if kind == "search" else raw_read)(wanted), arrivals, rate)
    settings = settings.but(http_addr=f"127.0.0.1:{free_port()}")
    with services(settings, *SERVICES) as running:
        api = Api(settings, running)
        found, not_found, found_at_postcode = api.closed_loops(report, [
            ("searches by names and date of birth", criteria, True), ("searches by the last resort", unheard, False),
            ("searches by names and postcode", by_postcode, True),
        ], clients)
        report.latencies("GET /api/v1/children/search (audited)", found, base=("raw", base["p95"] / 1000))
        report.latencies("  names sounding like no one (last resort)", not_found, base=("raw last resort", last_resort["p95"] / 1000))
        report.latencies("  by names and postcode, no date of birth", found_at_postcode, base=("raw", at_postcode["p95"] / 1000))
        report.note(f"last resort p95 = {statistics.quantiles(not_found, n=100)[94] / statistics.quantiles(found, n=100)[94]:.1f} x the search's")
        raw_figures = report.latencies(f"raw lookups, open loop at {rate:.0f} /s", raw_open)
        cpu_before = cpu_seconds(running.pids, settings)
        answered = open_loop(api.request, arrivals, rate)
        report.latencies(f"API, open loop at {rate:.0f} /s (60% search, 40% read)", answered, base=("raw", raw_figures["p95"] / 1000))
        report.cpu_per_item("  CPU per request, by process", len(arrivals), cpu_before, cpu_seconds(running.pids, settings))
        report.note("RSS: " + ", ".join(f"{name} {rss / 2**20:.0f} MB" for name, rss in resident(running).items()))


def candidates(settings: Settings, report: Report, directory: Population, exact: list[dict], unheard: list[dict]) -> None:
    """Candidates read per search, in-process: by exact names, by the matching test set's slips, and by the last resort."""
    rng = random.Random(5)
    engine = create_engine(settings.database_url)
    truths = rng.sample(directory.sampled, min(1000, len(directory.sampled)))
    try:
        with Session(engine) as session:
            for kind, wanted in (("exact names and date of birth", exact[:1000]), ("the last resort", unheard[:250])):
                counted: list[int] = []
                for one in wanted:
                    search(session, {**one, "date_of_birth": date.fromisoformat(one["date_of_birth"])}, counted=counted)
                report.spread(f"candidates: {kind}", counted)
            counted, first, refused = [], 0, 0
            for truth in truths:
                _, slipped = searched_for(truth, rng)
                try:
                    found = search(session, slipped, counted=counted)["results"]
                except SearchTooBroad:
                    refused += 1
                    continue
                first += found[:1] and found[0]["contactpoint_id"] == truth["contactpoint_id"]
            report.spread("candidates: the matching test set's slips", counted)
            report.note(f"matching test set: right child first in {first} of {len(truths)} ({first / len(truths):.2%}); {refused} asked to refine")
    finally:
        engine.dispose()


def _arrivals(directory: Population, chosen: list[dict], rate: float, seconds: float) -> list[tuple[str, dict]]:
    rng = random.Random(9)
    return [("search", {"family_name": child["family_name"], "given_name": child["given_names"][0], "date_of_birth": child["date_of_birth"]})
            if rng.random() < SEARCHES_SHARE else ("read", {"contactpoint_id": child["contactpoint_id"]})
            for child in (rng.choice(chosen) for _ in range(int(rate * seconds)))]


def closed_loop(call: Callable[[dict], None], requests: list[dict], clients: int) -> list[float]:
    """Seconds each request took, ``clients`` at a time, each sent as soon as the one before it was answered."""
    def timed(request: dict) -> float:
        started = time.perf_counter()
        call(request)
        return time.perf_counter() - started

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(timed, requests))


def open_loop(call: Callable[[str, dict], None], arrivals: list[tuple[str, dict]], rate: float, workers: int = 64) -> list[float]:
    """Seconds from each request's arrival to its answer, requests arriving at random (Poisson) at ``rate`` a second, whether
    or not those before them have been answered: the latency a person sees at that load, waiting included."""
    rng = random.Random(11)
    due = list(itertools.accumulate(rng.expovariate(rate) for _ in arrivals))

    def answered(arrived: float, kind: str, request: dict) -> float:
        call(kind, request)
        return time.perf_counter() - arrived

    with ThreadPoolExecutor(workers) as pool:
        start = time.perf_counter() + 0.05
        futures = []
        for at, (kind, request) in zip(due, arrivals):
            if (wait := start + at - time.perf_counter()) > 0:
                time.sleep(wait)
            futures.append(pool.submit(answered, start + at, kind, request))
        return [future.result() for future in futures]


def _raw(settings: Settings, query: str, as_is: bool = False) -> Callable[[dict], None]:
    """The lookup ``query`` with a search's values (or ``as_is``), on a connection of each thread's own."""
    local, libpq = threading.local(), _libpq(settings)

    def lookup(wanted: dict) -> None:
        if not hasattr(local, "connection"):
            local.connection = psycopg.connect(libpq, autocommit=True)
        local.connection.execute(query, wanted if as_is else _values(wanted)).fetchall()

    return lookup


def _values(wanted: dict) -> dict:
    names = [wanted["family_name"]], [wanted["given_name"]]
    if "date_of_birth" not in wanted:
        return {"keys": sorted(named_keys(*names, postcode_district(wanted["postcode"]))), "postcode": normal_postcode(wanted["postcode"])}
    dates = sorted(dates_meant(date.fromisoformat(wanted["date_of_birth"])))
    keys = dated_keys_of(*names, dates)
    return {"dates": dates, "by_family": sorted(keys.by_family), "by_given": sorted(keys.by_given), "keys": sorted(keys.by_initials)}


class Api:
    """The portal's HTTP API as a practitioner uses it, one keep-alive connection a thread (the standard library's client:
    the load generator shares these cores, so it should cost little)."""

    def __init__(self, settings: Settings, running: Running):
        self.address = settings.http_addr.split(":")
        self.authorised = {"Authorization": f"Bearer {_sign_in(settings, f'http://{settings.http_addr}', running)}"}
        self.local = threading.local()
        self.running, self.settings = running, settings

    def get(self, path: str) -> tuple[int, bytes]:
        if not hasattr(self.local, "connection"):
            self.local.connection = http.client.HTTPConnection(*self.address, timeout=30)
        self.local.connection.request("GET", path, headers=self.authorised)
        answer = self.local.connection.getresponse()
        return answer.status, answer.read()

    def search(self, wanted: dict, finds: bool = True) -> None:
        status, body = self.get(f"/api/v1/children/search?{urlencode({**wanted, 'purpose': 'safeguarding'})}")
        if status != 200 or bool(json.loads(body)["results"]) != finds:
            raise RuntimeError(f"search for {wanted} answered {status}: {body[:200]!r}")

    def request(self, kind: str, wanted: dict) -> None:
        if kind == "search":
            return self.search(wanted)
        status, body = self.get(f"/api/v1/children/{wanted['contactpoint_id']}?purpose=safeguarding")
        if status != 200:
            raise RuntimeError(f"read of {wanted['contactpoint_id']} answered {status}: {body[:200]!r}")

    def closed_loops(self, report: Report, rounds: list[tuple[str, list[dict], bool]], clients: int) -> list[list[float]]:
        """For each round of (what it is, criteria, whether each search finds a child), the latency of every search; reports the
        rate of searches (the capacity) and each process's CPU time per search."""
        closed_loop(self.search, rounds[0][1][: clients * 5], clients)  # warm every client's connection and the services' caches
        latencies = []
        for kind, criteria, finds in rounds:
            cpu_before = cpu_seconds(self.running.pids, self.settings)
            with stopwatch() as elapsed:
                latencies.append(closed_loop(lambda wanted, finds=finds: self.search(wanted, finds), criteria, clients))
            report.rate(f"{kind} answered", len(criteria), elapsed())
            report.cpu_per_item("  CPU per one, by process", len(criteria), cpu_before, cpu_seconds(self.running.pids, self.settings))
        return latencies


def resident(running: Running) -> dict[str, int]:
    """Each service's resident memory, in bytes (Linux's /proc)."""
    sizes = {}
    for name, pid in running.pids.items():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes[name] = int(line.split()[1]) * 1024
    return sizes


_accounts: dict[str, dict] = {}


def _sign_in(settings: Settings, base_url: str, running: Running) -> str:
    """A token of the bench's practitioner, whose account is made at the first size and signed in again at each."""
    if (account := _accounts.get(settings.name_prefix)) is None:
        identity = identity_service(settings)
        today = date.today().isoformat()
        try:
            account = _accounts[settings.name_prefix] = enrolled_as_holder(identity, identity.perform(ADD_USER, {
                "username": "bench-practitioner", "email": "bench@example.org", "la_code": "E08000035",
                "category": "social_worker", "role": PRACTITIONER, "trained_on": today, "disclosure_on": today,
            }))
        finally:
            identity.close()
    deadline = time.monotonic() + 60
    while True:
        if running.any_stopped():
            raise RuntimeError("a service stopped before the benchmark began")
        try:
            answer = httpx.post(f"{base_url}/api/v1/auth/login", timeout=10, json={
                "username": account["username"], "password": account["password"], "otp": pyotp.TOTP(account["totp_secret"]).now()})
            if answer.status_code == 200:
                return answer.json()["access_token"]
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the portal did not sign the bench practitioner in within 60 s")
        time.sleep(0.5)


def _libpq(settings: Settings) -> str:
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://")
