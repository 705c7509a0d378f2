"""Server CPU per hostile GraphQL document (issue 15 items 1, 2 and 8), production mode.

Each document is posted anonymously through the real ASGI app (production mode, a migrated
SQLite database holding 100 packages of 100 channels each, so that ``nodes`` finds them); the
figure is the process's CPU time (``time.process_time``) around the request, the median of
``-n`` samples, with the status, the error code and the size of the answer:

- the fragment bomb ``F20 = ...F19 ...F19`` (2**20 expansions), and the same renamed
  (``G0..G20``: a document the validation cache has not seen);
- 30 aliases of ``nodes(ids: $ids)`` with 100 package IDs, each asking for the channels;
- graphql-cop's "directive overloading" (``__typename`` with 10 ``@aa``), and 1,000 of them;
- 1,000 copies of one field (``{ apiVersion apiVersion ... }``), merged by validation;
- ``{ apiVersion }``, for comparison.

The documents are those the tests send (``tests/hostile.py``).

The issue's bar: each hostile request under 0.2 s of CPU. Run it on another checkout (e.g.
``main`` before the limits) with ``--root``:

    python bench/hostile_documents.py            # 5 samples each
    python bench/hostile_documents.py -n 9 --root /tmp/before
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


LIGHT = "{ apiVersion }"


async def seed_packages(count: int, channels: int) -> list[str]:
    """``count`` packages of ``channels`` channels; their global IDs."""
    from backend.schema.relay import to_global_id
    from tests.factories import make_channel, make_package

    lineup = [await make_channel() for _ in range(channels)]
    ids: list[str] = []
    for _ in range(count):
        package = await make_package()
        await package.channels.add(*lineup)
        ids.append(to_global_id("Package", package.id))
    return ids


async def run(n: int) -> None:
    import httpx

    from backend import db
    from backend.app import create_app
    from backend.config import Mode, Settings

    # (this checkout's documents, whichever checkout is measured)
    spec = importlib.util.spec_from_file_location("hostile", ROOT / "tests" / "hostile.py")
    assert spec is not None and spec.loader is not None
    hostile = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hostile)

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        settings = Settings(
            data_dir=Path(tmp),
            database_url=url,
            secret_key="bench-secret-" + "x" * 40,
            base_url="https://bench.example",
            mode=Mode.PRODUCTION,
        )
        await db.migrate(url)
        await db.close()
        await db.init(url)
        try:
            ids = await seed_packages(100, 100)
            app = create_app(settings, manage_database=False)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as http:
                cases: list[tuple[str, str, dict[str, Any]]] = [
                    ("fragment bomb F0..F20 (823 bytes)", hostile.fragment_bomb("F"), {}),
                    ("the same bomb renamed G0..G20", hostile.fragment_bomb("G"), {}),
                    ("30 aliases of nodes(ids:) x 100 IDs", hostile.NODES_BOMB, {"ids": ids}),
                    ("10 directives (graphql-cop)", hostile.DIRECTIVES_10, {}),
                    ("1,000 directives", hostile.DIRECTIVES_1000, {}),
                    ("1,000 copies of one field", hostile.SAME_FIELD, {}),
                    ("{ apiVersion }", LIGHT, {}),
                ]
                print(f"{'document':40} {'CPU (median)':>13} status  size  code")
                for label, query, variables in cases:
                    samples, answer = [], None
                    for _ in range(n):
                        started = time.process_time()
                        answer = await http.post(
                            "/graphql", json={"query": query, "variables": variables}
                        )
                        samples.append(time.process_time() - started)
                    assert answer is not None
                    body = answer.json()
                    code = (body.get("errors") or [{}])[0].get("extensions", {}).get("code", "")
                    print(
                        f"{label:40} {statistics.median(samples) * 1000:10.1f} ms"
                        f" {answer.status_code:6} {len(answer.content):6}  {code}"
                    )
        finally:
            await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="samples per document")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root))  # that checkout's backend and tests, not an installed copy
    asyncio.run(run(args.n))


if __name__ == "__main__":
    main()
