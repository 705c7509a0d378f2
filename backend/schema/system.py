"""Public, cheap fields about the API itself."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend import __version__
from backend.clock import now


@strawberry.type
class Query:
    @strawberry.field(description="The version of the ICOK API.")
    def api_version(self) -> str:
        return __version__

    @strawberry.field(description="The server's current time (UTC), for clock-skew checks.")
    def server_time(self) -> datetime:
        return now()
