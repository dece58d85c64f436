"""The page and what protects it: a strict Content-Security-Policy it keeps to, nothing cached, no cookie."""
import re
from pathlib import Path

import pytest

from contactpoint.keys import with_fresh_keys
from services.portal.bootstrap import STATIC, create_app
from shared.settings import Settings


@pytest.fixture
def client():
    return create_app(with_fresh_keys(Settings(amqp_url="memory://", redis_url="memory://", token_lifetime_seconds=900))).test_client()


def test_the_page_is_told_the_idle_timeout(client):
    page = client.get("/")

    assert page.status_code == 200 and page.mimetype == "text/html"
    assert '<meta name="cp-idle-seconds" content="900">' in page.text


@pytest.mark.parametrize("path", ["/", "/static/portal.js", "/static/portal.css", "/api/v1/children/search?purpose=safeguarding"])
def test_nothing_is_cached_framed_or_sniffed_and_no_cookie_is_set(client, path):
    answer = client.get(path)
    answer.close()  # a static file is streamed from disk until closed

    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in answer.headers


def test_the_page_may_run_only_its_own_scripts(client):
    policy = dict(part.strip().split(" ", 1) for part in client.get("/").headers["Content-Security-Policy"].split(";"))

    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == policy["style-src"] == policy["connect-src"] == "'self'"
    assert "unsafe" not in client.get("/").headers["Content-Security-Policy"]


def test_an_api_answer_is_never_a_document(client):
    answer = client.get("/api/v1/children/search?purpose=safeguarding")

    assert answer.status_code == 401 and answer.is_json
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_page_has_no_inline_script_style_or_handler_that_the_policy_would_block(client):
    page = client.get("/").text

    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", page)


def test_the_scripts_import_only_the_pages_own_modules():
    for script in STATIC.glob("*.js"):
        for imported in re.findall(r'^import .*?"(.+?)";$', script.read_text(), re.M | re.S):
            assert imported.startswith("./") and (STATIC / Path(imported).name).exists(), f"{script.name} imports {imported}"


def test_the_token_is_kept_in_memory_only():
    code = [line for script in STATIC.glob("*.js") for line in script.read_text().splitlines() if not line.lstrip().startswith("//")]
    scripts = "\n".join(code)

    assert not re.search(r"localStorage|sessionStorage|document\.cookie|indexedDB", scripts)


def test_every_file_the_page_links_to_is_served(client):
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', client.get("/").text)

    assert "/static/favicon.svg" in linked
    for path in linked:
        answer = client.get(path)
        answer.close()
        assert answer.status_code == 200, path
