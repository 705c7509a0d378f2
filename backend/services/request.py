"""``RequestMeta``: who is asking, passed explicitly to every service that audits, rate-limits
by address or writes to the customer.

The schema context builds one per request (``info.context.meta``); tests build one with
``tests.factories.make_meta``. There are no defaults: a caller that has no client (a job, the
CLI) says so with :data:`SYSTEM` rather than leaving the audit trail silently empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.models.enums import Language
from backend.services.text import displayable

MAX_IP = 45  # an IPv6 address with an IPv4 tail
MAX_USER_AGENT = 300


@dataclass(frozen=True)
class RequestMeta:
    ip: str
    """The client's address (``X-Forwarded-For`` only from trusted proxies), at most 45 chars."""
    user_agent: str
    """The ``User-Agent`` header, at most 300 characters, control and bidi characters (bytes
    0x80-0x9F and tabs pass HTTP parsers) replaced (:func:`backend.services.text.displayable`)."""
    language: Language
    """The language of texts sent back (messages, e-mails the request triggers)."""

    def __post_init__(self) -> None:
        # Cut once here to what the audit and session columns hold (45 and 300 characters).
        object.__setattr__(self, "ip", self.ip[:MAX_IP])
        object.__setattr__(self, "user_agent", displayable(self.user_agent[:MAX_USER_AGENT]))


SYSTEM = RequestMeta(ip="", user_agent="", language=Language.PL)
"""For events no client request causes (a payment provider's notification, a job): their audit
rows carry no address or user agent, by choice of the caller."""
