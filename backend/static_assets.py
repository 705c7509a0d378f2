"""The SPA's and the console's static files: versioned URLs, compression, caching headers.

The frontend is plain ES modules importing each other by relative paths, with no build step.
To let browsers keep its files for good, the whole tree (``frontend/``) is also served under a
version prefix, ``/assets/<version>/…`` (:data:`ASSETS`), where the version is a hash of every
file's path and content computed once per process (:func:`tree_version`). The ``index.html``
pages (``/`` and ``/console/``) are rewritten once to load their scripts, styles and icon from
that prefix, so every module they import, relatively, inherits it.

Headers (:class:`FrontendFiles`):

- ``/assets/<current version>/…`` in production: ``Cache-Control: public, max-age=31536000,
  immutable`` (its content can never change under that URL).
- Everything else (the ``index.html`` pages and client routes, unversioned paths such as
  ``/js/app.js`` or GraphiQL's files, versioned URLs in development, and an **old or unknown
  version**): ``Cache-Control: no-cache`` (the browser revalidates with ``ETag`` /
  ``Last-Modified``: 304 when unchanged). An old version's URLs answer with the current files,
  never cached for good: a tab opened before an upgrade, or a request reaching an instance not
  yet upgraded during a rolling deploy, still loads, and nothing stale is pinned under a
  version's name.
- Text files (JavaScript, CSS, HTML, SVG, JSON) to a client sending ``Accept-Encoding: gzip``
  are sent gzip-compressed (compressed once per file and kept in memory), with
  ``Vary: Accept-Encoding`` and their own ``ETag``; a ``Range`` request gets the plain file
  (Starlette's ``FileResponse`` answers ranges).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
import os
import re
import threading
from email.utils import formatdate
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

ASSETS = "/assets"
"""The versioned tree's mount: ``/assets/<version>/js/app.js`` is ``frontend/js/app.js``."""

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

COMPRESSED_TYPES = {".js", ".mjs", ".css", ".html", ".svg", ".json", ".map", ".txt"}
"""File name endings worth compressing (images other than SVG, fonts: already compressed)."""

_INDEX_REFERENCE = re.compile(r'(<(?:script|link)\b[^>]*?\s(?:src|href)=")/(?!/)')
"""A same-site absolute ``src``/``href`` of a ``<script>`` or ``<link>`` in ``index.html``."""

_VERSION_LENGTH = 16


@functools.cache
def tree_version(root: Path) -> str:
    """16 hex digits of SHA-256 over every file's path (relative, ``/``-separated) and bytes
    under ``root``: the same on every instance running the same files. Computed once per
    process and directory (~5 MB: tens of milliseconds)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:_VERSION_LENGTH]


class _Variant:
    """One in-memory body of a file (rewritten or compressed) with its validators."""

    def __init__(self, body: bytes, stamp: tuple[int, int], mtime: float) -> None:
        self.body = body
        self.stamp = stamp
        self.etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        self.last_modified = formatdate(mtime, usegmt=True)


class FrontendTree:
    """The frontend directory's version and the in-memory bodies derived from its files, made
    on first use and remade when a file's modification time or size changes (development)."""

    def __init__(self, root: Path, *, immutable: bool) -> None:
        self.root = root
        self.version = tree_version(root)
        self.prefix = f"{ASSETS}/{self.version}"
        self.immutable = immutable
        """Whether the current version's URLs may be cached for good (production)."""
        self._variants: dict[tuple[str, str], _Variant] = {}
        self._lock = threading.Lock()

    def variant(self, path: Path, stat: os.stat_result, kind: str) -> _Variant:
        """``kind`` "index": the file with its references moved under :attr:`prefix`;
        "gzip": the file compressed; "index+gzip": both."""
        stamp = (stat.st_mtime_ns, stat.st_size)
        key = (str(path), kind)
        found = self._variants.get(key)
        if found is not None and found.stamp == stamp:
            return found
        body = path.read_bytes()
        if "index" in kind:
            body = _INDEX_REFERENCE.sub(rf"\g<1>{self.prefix}/", body.decode()).encode()
        if "gzip" in kind:
            body = gzip.compress(body, compresslevel=9, mtime=0)
        made = _Variant(body, stamp, stat.st_mtime)
        with self._lock:
            self._variants[key] = made
        return made


def accepts_gzip(headers: Headers) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip`` listed without ``q=0``)."""
    for part in headers.get("accept-encoding", "").lower().split(","):
        name, _, params = part.partition(";")
        if name.strip() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params.strip() or float(q) > 0
            except ValueError:
                return False
    return False


class FrontendFiles(StaticFiles):
    """Static files of ``directory`` (the frontend or the console within it) with the headers
    of the module's docstring; ``versioned``: the mount of ``/assets`` (the first path segment
    is the version); otherwise ``spa``: ``index.html`` for client-side routes (paths without an
    extension)."""

    def __init__(self, *, directory: Path, tree: FrontendTree, versioned: bool = False) -> None:
        super().__init__(directory=directory, html=not versioned, check_dir=False)
        self.tree = tree
        self.versioned = versioned
        self.index = directory / "index.html"

    def get_path(self, scope: Scope) -> str:
        path = super().get_path(scope)
        if not self.versioned:
            return path
        version, _, rest = path.partition(os.sep)
        scope["icok.asset_version"] = version
        return rest or "."

    async def get_response(self, path: str, scope: Scope) -> Response:
        if self.versioned and path == ".":
            raise HTTPException(status_code=404)
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            last = path.rsplit(os.sep, 1)[-1]
            if not self.versioned and exc.status_code == 404 and "." not in last:
                return self.file_response(self.index, os.stat(self.index), scope)
            raise

    def cache_control(self, scope: Scope) -> str:
        current = scope.get("icok.asset_version") == self.tree.version
        return IMMUTABLE if self.versioned and current and self.tree.immutable else REVALIDATE

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        path = Path(full_path)
        request = Headers(scope=scope)
        headers = {"cache-control": self.cache_control(scope)}
        compressible = path.suffix.lower() in COMPRESSED_TYPES
        if compressible:
            headers["vary"] = "Accept-Encoding"
        index = path.name == "index.html"
        gzipped = compressible and accepts_gzip(request) and "range" not in request
        if not index and not gzipped:
            response = super().file_response(full_path, stat_result, scope, status_code)
            response.headers.update(headers)
            return response
        kind = "+".join(k for k, on in (("index", index), ("gzip", gzipped)) if on)
        variant = self.tree.variant(path, stat_result, kind)
        headers |= {"etag": variant.etag, "last-modified": variant.last_modified}
        if gzipped:
            headers["content-encoding"] = "gzip"
        if self.is_not_modified(Headers(headers), request):
            return NotModifiedResponse(Headers(headers))
        headers["content-length"] = str(len(variant.body))
        head = scope["method"] == "HEAD"
        media_type = "text/html" if index else self.media_type(path)
        return Response(b"" if head else variant.body, status_code, headers, media_type)

    @staticmethod
    def media_type(path: Path) -> str:
        return mimetypes.guess_type(path.name)[0] or "application/octet-stream"
