"""The disclosure service runs beside the others for these tests; children reach it through the real feeds path."""
from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module

import pytest

from services.disclosure.models import DeIdentifiedChild
from services.disclosure.pseudonyms import Pseudonymiser
from shared.settings import Settings
from tests.support import running, wait_until


@pytest.fixture(scope="module")
def services(migrated: Settings, provisioner) -> Iterator[dict]:
    built = {name: import_module(f"services.{name}.bootstrap").bootstrap(migrated)
             for name in ("identity", "directory", "feeds", "audit", "disclosure")}
    with running(*built.values()):
        yield built


@pytest.fixture
def disclosure_holds(services, migrated):
    """Waits until the disclosure service holds the child with this ContactPoint id (under its pseudonym base)."""
    keys = Pseudonymiser(migrated.pseudonym_key)

    def held(contactpoint_id: str) -> None:
        def found() -> bool:
            with services["disclosure"].db.sessions() as session:
                return session.get(DeIdentifiedChild, keys.base(contactpoint_id)) is not None

        wait_until(found, what="the disclosure service to hold the child")

    return held
