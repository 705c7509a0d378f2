"""The SPA's and the console's files through the real app (backend.static_assets): the pages
load every module from the versioned tree, compressed bodies are the files, caching headers,
revalidation, HEAD and ranges, old versions, the SPA's client routes."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from backend.app import create_app
from backend.config import Mode
from backend.static_assets import IMMUTABLE, REVALIDATE, tree_version

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
VERSION = tree_version(FRONTEND)
PREFIX = f"/assets/{VERSION}"
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


async def _raw(
    client: httpx.AsyncClient, path: str, **headers: str
) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent (not decompressed)."""
    async with client.stream("GET", path, headers=headers) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


def _references(path: str, text: str) -> list[str]:
    """The same-site paths a page or module at ``path`` loads (links, scripts, imports)."""
    if path.endswith("/") or path.endswith(".html"):
        found = re.findall(r'<(?:script|link)[^>]*?\s(?:src|href)="([^"]+)"', text)
    else:
        clause = r"""^[ \t]*(?:import|export)\s+[\w\s{},*$]*?\bfrom\s*['"]([^'"]+)['"]"""
        found = re.findall(clause, text, re.M)
        found += re.findall(r"""^[ \t]*import\s*['"]([^'"]+)['"]""", text, re.M)
        found += re.findall(r"""import\(\s*['"]([^'"]+)['"]\s*\)""", text)
        found += re.findall(r"""new URL\(\s*['"]([^'"]+)['"],\s*import\.meta\.url""", text)
        for name in re.findall(r"import\(\s*([A-Z_]+)\s*\)", text):
            found += re.findall(rf"""\b{name}\s*=\s*['"]([^'"]+)['"]""", text)
    return [urlsplit(urljoin(f"http://x{path}", ref)).path for ref in found]


@pytest.mark.parametrize("page", ["/", "/console/"])
async def test_every_file_a_page_loads_comes_from_the_current_version(client, page) -> None:
    seen: set[str] = set()
    queue = [page]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = await client.get(path, headers=GZIP)
        assert response.status_code == 200, path
        if path != page:
            assert path.startswith(f"{PREFIX}/"), (path, "imported from an unversioned URL")
            assert response.content == (FRONTEND / path.removeprefix(f"{PREFIX}/")).read_bytes()
        if path.endswith((".js", "/", ".html")):
            queue += _references(path, response.text)
    loaded = {p.removeprefix(PREFIX) for p in seen}
    assert "/vendor/preact-htm.js" in loaded and "/js/i18n.js" in loaded
    assert ("/console/js/views/queue.js" in loaded) == (page == "/console/")
    assert "/vendor/altcha/sha-worker.js" in loaded or page == "/console/"


async def test_a_compressed_file_is_the_file_and_has_its_own_validators(client) -> None:
    path = f"{PREFIX}/js/i18n/pl.js"
    original = (FRONTEND / "js/i18n/pl.js").read_bytes()
    zipped, body = await _raw(client, path, **GZIP)
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["content-type"].startswith("text/javascript")
    assert int(zipped.headers["content-length"]) == len(body) < len(original) / 2
    assert gzip.decompress(body) == original
    plain, body = await _raw(client, path, **IDENTITY)
    assert body == original and "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    assert plain.headers["etag"] != zipped.headers["etag"]
    refused, body = await _raw(client, path, **{"Accept-Encoding": "gzip;q=0, br"})
    assert body == original and "content-encoding" not in refused.headers


@pytest.mark.parametrize("path", [f"{PREFIX}/css/app.css", "/", "/js/app.js"])
@pytest.mark.parametrize("encoding", [GZIP, IDENTITY], ids=["gzip", "identity"])
async def test_revalidation_answers_304(client, path, encoding) -> None:
    first = await client.get(path, headers=encoding)
    assert first.status_code == 200
    again = await client.get(path, headers={**encoding, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]
    since = {**encoding, "If-Modified-Since": first.headers["last-modified"]}
    assert (await client.get(path, headers=since)).status_code == 304
    other = {**encoding, "If-None-Match": '"something-else"'}
    assert (await client.get(path, headers=other)).status_code == 200


@pytest.mark.parametrize("path", [f"{PREFIX}/js/app.js", "/", "/console/login"])
async def test_head_has_the_get_headers_and_no_body(client, path) -> None:
    for encoding in (GZIP, IDENTITY):
        got, body = await _raw(client, path, **encoding)
        head = await client.head(path, headers=encoding)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(body))
        assert head.headers["etag"] == got.headers["etag"]


async def test_a_range_gets_the_plain_file(client) -> None:
    original = (FRONTEND / "js/app.js").read_bytes()
    response, body = await _raw(client, f"{PREFIX}/js/app.js", Range="bytes=0-9", **GZIP)
    assert response.status_code == 206 and body == original[:10]
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    ("path", "script"),
    [
        ("/", "/js/app.js"),
        ("/payments", "/js/app.js"),
        ("/console/", "/console/js/app.js"),
        ("/console/queue/12", "/console/js/app.js"),
    ],
)
async def test_pages_and_client_routes_revalidate(client, path, script) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == REVALIDATE
    assert response.headers["content-type"].startswith("text/html")
    assert f'<script type="module" src="{PREFIX}{script}">' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_missing_files_and_bare_versions_are_404(client) -> None:
    for path in (f"{PREFIX}/js/nothing.js", f"{PREFIX}/payments", f"{PREFIX}/", "/js/nothing.js"):
        assert (await client.get(path)).status_code == 404, path


@pytest.fixture
def production_client(settings, db):
    app = create_app(settings.with_overrides(mode=Mode.PRODUCTION), manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_production_caches_the_current_version_for_good(production_client) -> None:
    async with production_client as client:
        current = await client.get(f"{PREFIX}/js/app.js", headers=GZIP)
        assert (
            current.headers["cache-control"] == IMMUTABLE == ("public, max-age=31536000, immutable")
        )
        # Revalidated: the pages, unversioned paths, an old (or unknown) version's URLs, which
        # get the current files (a tab opened before an upgrade keeps working).
        for path in ("/", "/login", "/console/", "/js/app.js", "/vendor/graphiql/graphiql.min.js"):
            response = await client.get(path, headers=GZIP)
            assert response.headers["cache-control"] == REVALIDATE, path
        old = await client.get("/assets/0123456789abcdef/js/app.js", headers=GZIP)
        assert old.status_code == 200 and old.headers["cache-control"] == REVALIDATE
        assert old.content == (FRONTEND / "js/app.js").read_bytes()


async def test_development_revalidates_even_the_current_version(client) -> None:
    """A developer's edit shows on reload (the version is computed once per process)."""
    response = await client.get(f"{PREFIX}/js/app.js")
    assert response.headers["cache-control"] == REVALIDATE
