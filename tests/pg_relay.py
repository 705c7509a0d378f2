"""A TCP relay between the ORM and PostgreSQL that a test controls: it cuts a connection right
after a given answer (``tests/api/test_postgres_retry.py``) or freezes like a network partition
(``tests/api/test_database_partition.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

READY_FOR_QUERY = b"Z\x00\x00\x00\x05"
"""The server's ``ReadyForQuery`` (its status byte follows: ``I`` outside a transaction, what
came before it committed; ``T`` inside one)."""


@dataclass
class Relay:
    """A TCP relay to PostgreSQL that cuts the next connection whose server answers with
    ``cut_after`` (a command tag, e.g. ``b"UPDATE 1"``) followed by ``ReadyForQuery``: the
    answer is dropped and both sides closed. :meth:`freeze` stops it as a network partition
    does (a ``SIGSTOP``ped proxy): connections are still accepted, nothing passes either way
    until :meth:`thaw` (what was sent meanwhile is delivered then)."""

    upstream: tuple[str, int]
    cut_after: bytes | None = None
    cuts: int = 0
    server: asyncio.Server | None = None
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    thawed: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.thawed.set()

    def freeze(self) -> None:
        self.thawed.clear()

    def thaw(self) -> None:
        self.thawed.set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        for writer in self.writers:
            writer.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        await self.thawed.wait()
        server_r, server_w = await asyncio.open_connection(*self.upstream)
        self.writers += [client_w, server_w]
        pumps = [
            asyncio.create_task(self._pump(client_r, server_w, cut=False)),
            asyncio.create_task(self._pump(server_r, client_w, cut=True)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            client_w.close()
            server_w.close()

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, cut: bool
    ) -> None:
        """Copy ``source`` to ``sink`` until either ends; from the server (``cut``), stop before
        passing on the answer :attr:`cut_after` asks for."""
        seen = b""
        try:
            while data := await source.read(65536):
                if cut and self.cut_after is not None:
                    seen = (seen + data)[-4096:]
                    tag = seen.find(self.cut_after + b"\x00")
                    if tag >= 0 and seen.find(READY_FOR_QUERY, tag) > 0:
                        self.cut_after, self.cuts = None, self.cuts + 1
                        return
                await self.thawed.wait()
                sink.write(data)
                await sink.drain()
        except OSError:
            return


async def start_relay(postgres_url: str) -> tuple[Relay, str]:
    """A started :class:`Relay` to ``postgres_url``'s server, and the URL reaching the same
    database through it."""
    parts = urlsplit(postgres_url)
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    port = await relay.start()
    netloc = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return relay, urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{port}"))
