"""Masked PESEL numbers show their last two digits, not four: with the stored birth date, the
last four gave the whole number back (see ``identifiers.mask_pesel``)."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops


async def _remask(_apps: Any, editor: Any) -> None:
    await editor.client.execute_script(
        "UPDATE customer SET pesel_masked = '*********' || substr(pesel_masked, 10, 2) "
        "WHERE length(pesel_masked) = 11"
    )


async def _nothing(_apps: Any, _editor: Any) -> None:
    return None  # the hidden digits are gone: there is nothing to restore


class Migration(migrations.Migration):
    dependencies = [("models", "0008_event_outbox")]

    initial = False

    operations = [ops.RunPython(_remask, _nothing)]
