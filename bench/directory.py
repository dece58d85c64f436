"""Directory search: latency through the HTTP API under concurrent clients, beside the raw PostgreSQL lookup.

N synthetic children (CP_BENCH_CHILDREN, default 1,000,000) are loaded straight into the
directory's tables with COPY (this measures search, not ingestion). Then the portal,
directory, identity and audit run as their own processes, and CP_BENCH_CLIENTS (default 20)
clients search by family name, given name and date of birth, each search audited before it
is answered. Base: the same candidate lookup (children born on the dates meant whose names sound
like a name given) sent straight to PostgreSQL by as many clients.
CP_BENCH_SEARCHES (default 4,000) searches are made each way; then a quarter as many with names
that sound like no child's, which fall back to every child born on the dates meant; and a quarter
as many by names and postcode with no date of birth.
"""
from __future__ import annotations

import http.client
import itertools
import json
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from urllib.parse import urlencode

import httpx
import psycopg
import pyotp

from bench.processes import Running, services
from bench.report import Report, cpu_seconds, stopwatch
from contactpoint import synthetic
from contactpoint.embedded import enrolled_as_holder
from contactpoint.sandbox import free_port
from services.directory.handlers import RECORD_FIELDS, keys_of, search_columns
from services.directory.matching import dated_keys, dates_meant, named_keys
from services.identity.bootstrap import bootstrap as identity_service
from shared.contracts.requests import ADD_USER
from shared.contracts.validators import normal_postcode, postcode_district
from shared.settings import Settings

CHILDREN_COLUMNS = (
    "contactpoint_id", "version", "la_code", "active", "shielded", "family_name", "family_key", "given_names",
    "former_family_keys", "date_of_birth", "gender", "postcode", "nhs_number", "upn", "retain_to_25", "record",
)
JSON_COLUMNS = {"given_names", "former_family_keys", "record"}
RAW_LOOKUP = ("SELECT contactpoint_id, shielded, family_name, given_names, former_family_keys, date_of_birth, gender, postcode, nhs_number, upn "
              "FROM directory.children WHERE active AND date_of_birth = ANY(%(dates)s) "
              "AND contactpoint_id IN (SELECT contactpoint_id FROM directory.search_keys WHERE key = ANY(%(keys)s))")
RAW_BORN_THEN = RAW_LOOKUP.split(" AND contactpoint_id IN")[0]
RAW_BY_NAMES_OR_POSTCODE = (RAW_BORN_THEN.split(" AND date_of_birth")[0]
                            + " AND contactpoint_id IN (SELECT contactpoint_id FROM directory.search_keys WHERE key = ANY(%(keys)s)"
                            " UNION SELECT contactpoint_id FROM directory.children WHERE postcode = %(postcode)s)")
SAMPLE_EVERY = 200
COPY_BATCH = 50_000


def run(settings: Settings, report: Report) -> None:
    count = int(os.environ.get("CP_BENCH_CHILDREN", 1_000_000))
    clients = int(os.environ.get("CP_BENCH_CLIENTS", 20))
    searches = int(os.environ.get("CP_BENCH_SEARCHES", 4000))
    with stopwatch() as loading:
        sampled = load(settings, count)
    report.note(f"{count:,} synthetic children loaded with COPY in {loading():.0f} s; {clients} concurrent clients, "
                f"{searches:,} searches each way by family name, given name and date of birth")
    rng = random.Random(3)
    chosen = [rng.choice(sampled) for _ in range(searches)]
    criteria = [{name: child[name] for name in ("family_name", "given_name", "date_of_birth")} for child in chosen]
    # Names that sound like no child's: the search falls back to every child born on the dates meant.
    unheard = [{**wanted, "family_name": "Qwyxz", "given_name": "Vrekk"} for wanted in criteria[: searches // 4]]
    # No date of birth: the children whose names sound alike anywhere, and every child at the postcode.
    by_postcode = [{name: child[name] for name in ("family_name", "given_name", "postcode")} for child in chosen[: searches // 4]]
    base = report.latencies("raw PostgreSQL candidate lookup", raw_latencies(settings, criteria, clients, RAW_LOOKUP))
    born_then = report.latencies("raw lookup of all born then (the fallback)", raw_latencies(settings, unheard, clients, RAW_BORN_THEN))
    at_postcode = report.latencies("raw lookup by names or postcode", raw_latencies(settings, by_postcode, clients, RAW_BY_NAMES_OR_POSTCODE))
    found, not_found, found_at_postcode = api_latencies(settings, [
        ("searches by names and date of birth", criteria, True), ("searches that fall back", unheard, False),
        ("searches by names and postcode", by_postcode, True),
    ], clients, report)
    report.latencies("GET /api/v1/children/search (audited)", found, base=("raw", base["p95"] / 1000))
    report.latencies("  names sounding like no one (fallback)", not_found, base=("raw fallback", born_then["p95"] / 1000))
    report.latencies("  by names and postcode, no date of birth", found_at_postcode, base=("raw", at_postcode["p95"] / 1000))


def load(settings: Settings, count: int) -> list[dict]:
    """COPYs ``count`` children and their search keys into the directory's tables; returns criteria for a sample of them."""
    rng = random.Random(1)
    sampled = []
    people = iter(synthetic.population(count, seed=2024))
    with psycopg.connect(_libpq(settings)) as connection:
        with connection.cursor() as cursor:
            # One COPY at a time on a connection: the children of a batch, then their keys.
            while batch := list(itertools.islice(people, COPY_BATCH)):
                snapshots = [synthetic.merged_snapshot(child, rng) for child in batch]
                with cursor.copy(f"COPY directory.children ({', '.join(CHILDREN_COLUMNS)}) FROM STDIN") as children:
                    for snapshot in snapshots:
                        columns = search_columns(snapshot)
                        columns["record"] = {name: snapshot[name] for name in RECORD_FIELDS}
                        children.write_row([json.dumps(columns[name]) if name in JSON_COLUMNS else columns[name] for name in CHILDREN_COLUMNS])
                with cursor.copy("COPY directory.search_keys (key, contactpoint_id) FROM STDIN") as keys:
                    for snapshot in snapshots:
                        for key in keys_of(snapshot):
                            keys.write_row((key, snapshot["contactpoint_id"]))
                sampled += [{"family_name": child.family_name, "given_name": child.given_names[0], "date_of_birth": child.date_of_birth.isoformat(),
                             "postcode": child.postcode} for child in batch[::SAMPLE_EVERY]]
            connection.commit()
        # VACUUM as autovacuum would after a load: it marks pages all-visible, which index-only scans need.
        connection.autocommit = True
        connection.execute("VACUUM (ANALYZE) directory.children")
        connection.execute("VACUUM (ANALYZE) directory.search_keys")
    return sampled


def raw_latencies(settings: Settings, criteria: list[dict], clients: int, query: str) -> list[float]:
    local = threading.local()

    def lookup(wanted: dict) -> float:
        if not hasattr(local, "connection"):
            local.connection = psycopg.connect(_libpq(settings), autocommit=True)
        started = time.perf_counter()
        names = [wanted["family_name"]], [wanted["given_name"]]
        if "date_of_birth" in wanted:
            dates = dates_meant(date.fromisoformat(wanted["date_of_birth"]))
            values = {"dates": sorted(dates), "keys": sorted(dated_keys(*names, dates))}
        else:
            values = {"keys": sorted(named_keys(*names, postcode_district(wanted["postcode"]))), "postcode": normal_postcode(wanted["postcode"])}
        local.connection.execute(query, values).fetchall()
        return time.perf_counter() - started

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lookup, criteria))


def api_latencies(settings: Settings, rounds: list[tuple[str, list[dict], bool]], clients: int, report: Report) -> list[list[float]]:
    """For each round of (what it is, criteria, whether each search finds a child), the latency of every search; reports the
    rate of searches and each service's CPU time per search."""
    settings = settings.but(http_addr=f"127.0.0.1:{free_port()}")
    base_url = f"http://{settings.http_addr}"
    with services(settings, "identity", "audit", "directory", "portal") as running:
        authorised = {"Authorization": f"Bearer {_sign_in(settings, base_url, running)}"}
        local = threading.local()

        def search(wanted: dict, finds: bool = True) -> float:
            # The standard library's client: the load generator shares these two cores, so it should cost little.
            if not hasattr(local, "connection"):
                local.connection = http.client.HTTPConnection(*settings.http_addr.split(":"), timeout=30)
            started = time.perf_counter()
            local.connection.request("GET", f"/api/v1/children/search?{urlencode({**wanted, 'purpose': 'safeguarding'})}", headers=authorised)
            answer = local.connection.getresponse()
            body = answer.read()
            seconds = time.perf_counter() - started
            if answer.status != 200 or bool(json.loads(body)["results"]) != finds:
                raise RuntimeError(f"search for {wanted} answered {answer.status}: {body[:200]!r}")
            return seconds

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(search, rounds[0][1][: clients * 5]))  # warm every client's connection and the services' caches
            latencies = []
            for kind, criteria, finds in rounds:
                cpu_before = cpu_seconds(running.pids)
                with stopwatch() as elapsed:
                    latencies.append(list(pool.map(partial(search, finds=finds), criteria)))
                report.rate(f"{kind} answered", len(criteria), elapsed())
                report.cpu_per_item("  CPU per one, by process", len(criteria), cpu_before, cpu_seconds(running.pids))
            return latencies


def _sign_in(settings: Settings, base_url: str, running: Running) -> str:
    identity = identity_service(settings)
    today = date.today().isoformat()
    try:
        account = enrolled_as_holder(identity, identity.perform(ADD_USER, {
            "username": "bench-practitioner", "email": "bench@example.org", "la_code": "E08000035", "category": "social_worker",
            "role": "practitioner", "trained_on": today, "disclosure_on": today,
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
