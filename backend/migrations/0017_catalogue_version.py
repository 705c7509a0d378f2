"""The catalogue's version (``catalogue_version``, one row): triggers on the catalogue's tables
replace its token by a random one in the transaction that changes them, whoever writes (the
operator API, ``icok import``, the demo seed, plain SQL), so every process of every instance sees
a change with its next read of the token (``services.catalog.catalogue``).

SQLite: a row trigger per table and event (it has no statement triggers), an upsert of row 1.
PostgreSQL: one statement trigger per table (TRUNCATE included) calling one function. A table
that Tortoise rebuilds on SQLite (a column alteration) loses its triggers:
``tests/api/test_catalogue_cache.py`` checks that they are all there after the last migration."""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

TABLES = ("package", "channel", "package_channel", "title")
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")
RANDOM = {"sqlite": "random()", "postgres": "floor((random() - 0.5) * 1.8e19)::bigint"}
"""A random signed 64-bit token (PostgreSQL's random() has 52 bits: enough)."""
SQLITE_UPSERT = (
    f"INSERT INTO catalogue_version (id, token) VALUES (1, {RANDOM['sqlite']}) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalogue_version (id, token)
    VALUES (1, {RANDOM['postgres']})
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""


async def _create_triggers(_apps: Any, editor: Any) -> None:
    script = editor.client.execute_script
    if editor.DIALECT == "sqlite":
        for table in TABLES:
            for event in SQLITE_EVENTS:
                await script(
                    f'CREATE TRIGGER "catalogue_version_{table}_{event.lower()}" AFTER {event} '
                    f'ON "{table}" BEGIN {SQLITE_UPSERT}; END'
                )
    else:
        await script(POSTGRES_FUNCTION)
        for table in TABLES:
            await script(
                f'CREATE TRIGGER "catalogue_version_{table}" AFTER INSERT OR UPDATE OR DELETE '
                f'OR TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed()'
            )
    random = RANDOM["sqlite" if editor.DIALECT == "sqlite" else "postgres"]
    await script(
        f"INSERT INTO catalogue_version (id, token) VALUES (1, {random}) "
        "ON CONFLICT (id) DO NOTHING"
    )


async def _drop_triggers(_apps: Any, editor: Any) -> None:
    script = editor.client.execute_script
    for table in TABLES:
        if editor.DIALECT == "sqlite":
            for event in SQLITE_EVENTS:
                await script(f'DROP TRIGGER IF EXISTS "catalogue_version_{table}_{event.lower()}"')
        else:
            await script(f'DROP TRIGGER IF EXISTS "catalogue_version_{table}" ON "{table}"')
    if editor.DIALECT != "sqlite":
        await script("DROP FUNCTION IF EXISTS catalogue_changed()")


class Migration(migrations.Migration):
    dependencies = [("models", "0016_readiness_probe")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CatalogueVersion",
            fields=[
                ("id", fields.IntField(primary_key=True, unique=True, db_index=True)),
                ("token", fields.BigIntField()),
            ],
            options={
                "table": "catalogue_version",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One row (id 1) whose token database triggers replace by a random one in the writing",
            },
            bases=["Model"],
        ),
        ops.RunPython(_create_triggers, _drop_triggers),
    ]
