"""E-mail addresses in their canonical form (``identifiers.normalise_email``).

Before email-validator, an internationalised domain could only be typed (and stored) in its
ASCII form, ``jan@xn--w-uga1v8h.pl``; lookups now use the Unicode form ``jan@żółw.pl``. Rows
whose stored address has another canonical form are rewritten, so the account is found again.
An account whose canonical address another account already holds, and addresses the new rules
refuse, are left as they are (and logged).
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

from backend.services.errors import DomainError
from backend.services.identifiers import normalise_email

log = logging.getLogger("icok.migrations")

COLUMNS = [("account", "email"), ("customer", "email"), ("account_token", "email")]


async def canonical_emails(_apps: Any, editor: Any) -> None:
    client = editor.client
    mark = (lambda n: f"${n}") if editor.DIALECT == "postgres" else (lambda _n: "?")
    for table, column in COLUMNS:
        _, rows = await client.execute_query(
            f'SELECT id, "{column}" AS address FROM "{table}" '
            f"WHERE LOWER(\"{column}\") LIKE '%xn--%'"
        )
        for row in rows:
            try:
                canonical = normalise_email(row["address"])
            except DomainError:
                log.warning("%s %s: address kept, not valid now", table, row["id"])
                continue
            if canonical == row["address"]:
                continue
            if table == "account":
                _, taken = await client.execute_query(
                    f'SELECT id FROM "account" WHERE "email" = {mark(1)}', [canonical]
                )
                if taken:
                    log.warning("account %s: address kept, %s is taken", row["id"], canonical)
                    continue
            await client.execute_query(
                f'UPDATE "{table}" SET "{column}" = {mark(1)} WHERE id = {mark(2)}',
                [canonical, row["id"]],
            )


class Migration(migrations.Migration):
    dependencies = [("models", "0004_login_email_change")]

    operations = [ops.RunPython(canonical_emails, ops.RunPython.noop)]
