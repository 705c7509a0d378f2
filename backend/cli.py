"""The ``icok`` command: serve, migrate, seed, import, cleanup, payments reconcile,
export-schema, export-operations.

Expected failures (bad configuration, unreachable database, busy port) print one line to stderr
and exit with status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from backend import __version__, db
from backend.clock import OPERATOR_ZONE
from backend.config import ConfigError, LogFormat, Settings, load_settings, serving_base_url
from backend.services.errors import DomainError, ValidationErrors

EXPECTED = (ConfigError, db.DatabaseError)


class CLIError(Exception):
    """A failure to report as one line."""


class UsageError(CLIError):
    """A command line that cannot be carried out as given (exit status 2, like argparse's)."""


def _fail(message: str) -> int:
    print(f"icok: error: {message}", file=sys.stderr)
    return 1


def _run(coro_factory: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(_with_db_closed(coro_factory))


async def _with_db_closed(coro_factory: Callable[[], Awaitable[None]]) -> None:
    from backend.services import emails

    try:
        await coro_factory()
    finally:
        # Mail a command queued in the background (e.g. the receipt of a payment it settled)
        # goes out before the process ends and the database closes.
        await emails.drain()
        await db.close()


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    async def go() -> None:
        await db.init(settings.database_url)
        await db.close()
        applied = await db.migrate(settings.database_url, wait=args.wait)
        if applied:
            print(f"applied {len(applied)} migration(s): {', '.join(applied)}")
        else:
            print("the database is up to date")

    _run(go)


def _seed(settings: Settings, *, only_if_empty: bool) -> None:
    from backend import demo
    from backend.db import prepare_database

    async def go() -> None:
        await prepare_database(settings)
        empty = await demo.database_is_empty()
        if only_if_empty and not empty:
            return
        if settings.production and not empty:
            # Demo customers with a published password must never mix with real ones.
            raise CLIError("refusing to add demo data to a non-empty database in production mode")
        summary = await demo.seed_demo(settings)
        print(summary.describe(), flush=True)

    _run(go)


def cmd_seed(settings: Settings, args: argparse.Namespace) -> None:
    if not args.demo:
        raise CLIError("nothing to seed: pass --demo to load the demo operator and customers")
    _seed(settings, only_if_empty=False)


def cmd_cleanup(settings: Settings, _args: argparse.Namespace) -> None:
    from backend.db import prepare_database
    from backend.services import housekeeping

    async def go() -> None:
        await prepare_database(settings)
        report = await housekeeping.cleanup(settings)
        print(report.describe(), flush=True)

    _run(go)


def cmd_payments_reconcile(settings: Settings, args: argparse.Namespace) -> None:
    from datetime import timedelta

    from backend.db import prepare_database
    from backend.services import payments

    async def go() -> None:
        await prepare_database(settings)
        report = await payments.reconcile(settings, older_than=timedelta(minutes=args.older_than))
        print("\n".join(report.describe()), flush=True)

    _run(go)


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """Exit status 0 when every line was taken, 1 when any line was rejected."""
    from contextlib import ExitStack

    from tortoise.exceptions import BaseORMException

    from backend import importer
    from backend.db import prepare_database
    from backend.services.feed import Writer
    from backend.services.request import SYSTEM

    from_stdin = args.file == "-"
    path = Path(args.file)
    source = "stdin" if from_stdin else path.name
    with ExitStack() as files:
        try:
            stream = sys.stdin.buffer if from_stdin else files.enter_context(path.open("rb"))
            if args.report:
                _refuse_overwriting(Path(args.report), os.fstat(stream.fileno()), settings)
            report_file = (
                files.enter_context(Path(args.report).open("w", encoding="utf-8"))
                if args.report
                else None
            )
        except OSError as exc:
            raise UsageError(f"cannot open {exc.filename}: {exc.strerror}") from None
        size = os.fstat(stream.fileno()).st_size if path.is_file() else None
        bar = _progress_bar(size)
        if bar is not None:
            files.callback(bar.close)

        def report(rejection: importer.Rejection) -> None:
            if report_file is not None:
                report_file.write(rejection.as_json() + "\n")
            elif bar is not None:
                bar.write(rejection.as_text(), file=sys.stderr)
            else:
                print(rejection.as_text(), file=sys.stderr)

        summary = importer.ImportSummary()

        async def go() -> None:
            nonlocal summary
            await prepare_database(settings)
            summary = await importer.import_stream(
                stream,
                settings,
                Writer(f"import:{source}", SYSTEM),
                dry_run=args.dry_run,
                batch_size=args.batch_size,
                report=report,
                progress=bar.update if bar is not None else None,
            )

        try:
            _run(go)
        except (BaseORMException, ConnectionError) as exc:
            raise CLIError(
                f"the database failed during the import ({db.describe_error(exc)}); what was "
                "written so far is kept, nothing half-written: run the same command again "
                "to resume"
            ) from None
    print(summary.describe(source), flush=True)
    if summary.rejected and args.report:
        print(f"{summary.rejected} line(s) rejected: see {args.report}", file=sys.stderr)
    return 1 if summary.rejected else 0


def _refuse_overwriting(report: Path, source: os.stat_result, settings: Settings) -> None:
    """Raise :class:`UsageError` when ``report`` exists and is the input (``source``, its
    stat: the same file by any name, a symbolic or hard link included) or the SQLite database."""
    try:
        target = report.stat()
    except FileNotFoundError:
        return
    if (target.st_dev, target.st_ino) == (source.st_dev, source.st_ino):
        raise UsageError("the report would overwrite the file being imported")
    database = db.sqlite_path(settings.database_url)
    if database is not None and database.exists() and report.samefile(database):
        raise UsageError("the report would overwrite the database")


def _progress_bar(total: int | None) -> Any:
    """A tqdm bar over the file's bytes on stderr (of ``total``, None when unknown: a pipe),
    only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr, leave=False)


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CLIError(f"port {port} on {host} is already in use") from None
            raise CLIError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from backend.db import MigrationsPending, prepare_database
    from backend.logging_setup import logging_config

    _check_port(args.host, args.port)
    # The app (and every worker) reads its settings from the environment: hand it the address.
    base_url = serving_base_url(settings, args.host, args.port)
    os.environ["ICOK_BASE_URL"] = base_url
    settings = settings.with_overrides(base_url=base_url, base_url_set=True)
    if args.demo:
        _seed(settings, only_if_empty=True)
    else:

        async def check() -> None:
            await prepare_database(settings)

        try:
            _run(check)
        except MigrationsPending as exc:
            raise CLIError(str(exc)) from None
    print(
        f"ICOK is serving at http://{args.host}:{args.port} ({settings.mode} mode; "
        f"links in e-mails point to {base_url})",
        flush=True,
    )
    workers = None if args.reload else args.workers
    metrics_dir = _shared_metrics_dir(settings, workers)
    try:
        uvicorn.run(
            "backend.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            reload=args.reload,
            # watch the code only: the working directory holds the SQLite file, which changes
            reload_dirs=[str(Path(__file__).resolve().parent)] if args.reload else None,
            workers=workers,
            log_level="info",
            # The same configuration in every worker: ICOK_LOG_FORMAT, request ids, uvicorn's
            # lines.
            log_config=logging_config(settings.log_format),
            # The app writes each request's access line itself (backend.logging_setup.log_access:
            # duration, operation name); uvicorn's would be a second, poorer one.
            access_log=False,
            proxy_headers=False,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _shared_metrics_dir(settings: Settings, workers: int | None) -> str | None:
    """With several workers and ``/metrics`` on, a new directory in ``PROMETHEUS_MULTIPROC_DIR``
    (inherited by the workers, which then count into shared files and each answer ``/metrics``
    with the sums of all), to delete when the server stops; ``None`` otherwise, or when the
    variable is set already (its owner empties it between runs)."""
    if not settings.metrics or (workers or 1) < 2:
        return None
    from backend.metrics import MULTIPROCESS_DIR

    if os.environ.get(MULTIPROCESS_DIR):
        return None
    directory = tempfile.mkdtemp(prefix="icok-metrics-")
    os.environ[MULTIPROCESS_DIR] = directory
    return directory


def _refused(exc: DomainError | ValidationErrors, options: dict[str, str]) -> UsageError:
    """A service's refusal as one line, each error led by the option it is about (``options``
    maps the service's parameter names to the command's, e.g. ``{"scopes": "--scope"}``)."""
    from backend.i18n import translate
    from backend.models.enums import Language

    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    return UsageError(
        " ".join(
            f"{options.get(e.field, e.field) + ': ' if e.field else ''}"
            f"{translate(e.code, Language.EN, **e.params)}"
            for e in errors
        )
    )


def _when(instant: datetime | None) -> str:
    return instant.astimezone(OPERATOR_ZONE).isoformat(" ", "minutes") if instant else "-"


def cmd_operator_key(settings: Settings, args: argparse.Namespace) -> None:
    from backend.db import prepare_database
    from backend.services import operator_keys

    async def create() -> None:
        row, key = await operator_keys.create_key(args.name, args.scope)
        print(key, flush=True)
        print(
            f"created the operator API key '{row.name}' ({row.scopes}); this is the only time "
            "the key is shown: it will not be shown again (only its hash is kept), store it now",
            file=sys.stderr,
        )

    async def listing() -> None:
        rows = await operator_keys.list_keys()
        if not rows:
            print("no operator API keys", file=sys.stderr)
        for row in rows:
            print(
                f"{row.name}  prefix={row.prefix}…  scopes={row.scopes.replace(' ', ',')}  "
                f"created={_when(row.created_at)}  last-used={_when(row.last_used_at)}  "
                f"revoked={_when(row.revoked_at)}"
            )

    async def revoke() -> None:
        row = await operator_keys.revoke_key(args.name)
        print(f"revoked the operator API key '{row.name}' (at {_when(row.revoked_at)})")

    action = {"create": create, "list": listing, "revoke": revoke}[args.key_command]

    async def go() -> None:
        await prepare_database(settings)
        try:
            await action()
        except (DomainError, ValidationErrors) as exc:
            options = {"name": "--name", "scopes": "--scope"}
            if args.key_command == "revoke":
                options = {"name": "NAME"}
            raise _refused(exc, options) from None

    _run(go)


def cmd_staff(settings: Settings, args: argparse.Namespace) -> None:
    from dataclasses import replace

    from backend.db import prepare_database
    from backend.models.enums import Language, StaffRole
    from backend.services import staff
    from backend.services.request import SYSTEM

    meta = replace(SYSTEM, user_agent="icok staff", language=Language.EN)

    async def create() -> None:
        password = None
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        member, initial = await staff.create_staff(
            args.email, args.name, StaffRole(args.role), meta, settings=settings, password=password
        )
        if initial is not None:
            print(initial, flush=True)
            print(
                f"created the {member.role.value} '{member.email}'; the initial password above is "
                "shown only this once and works for 72 hours; the first login replaces it and "
                "sets up the second factor (TOTP)",
                file=sys.stderr,
            )
        else:
            print(f"created the {member.role.value} '{member.email}'", file=sys.stderr)

    async def listing() -> None:
        rows = await staff.list_staff()
        if not rows:
            print("no staff accounts", file=sys.stderr)
        for row in rows:
            state = staff.account_state(row)
            labels = {
                staff.AccountState.INITIAL_PASSWORD_PENDING: (
                    f"initial-password-pending(until {_when(row.initial_password_expires_at)})"
                ),
                staff.AccountState.INITIAL_PASSWORD_EXPIRED: (
                    "initial-password-expired(reset it: icok staff reset-password)"
                ),
            }
            print(
                f"{row.email}  {row.role.value}  {labels.get(state, state.value.replace('_', '-'))}"
                f"  name={row.name}  "
                f"last-login={_when(row.last_login_at)}  locked-until={_when(row.locked_until)}"
            )

    async def reset_password() -> None:
        member, password = await staff.reset_password(
            await staff.find_member(args.email), meta, settings=settings, by=None
        )
        print(password, flush=True)
        print(
            f"reset-password: done for '{member.email}'; the initial password above is shown "
            "only this once, works for 72 hours and is replaced at the next login, which then "
            "sets up the second factor (TOTP) again",
            file=sys.stderr,
        )

    async def change() -> None:
        member = await staff.find_member(args.email)
        action = {
            "disable": staff.disable,
            "enable": staff.enable,
            "reset-2fa": staff.reset_second_factor,
        }[args.staff_command]
        await action(member, meta, by=None)
        print(f"{args.staff_command}: done for '{member.email}'")

    commands = {"create": create, "list": listing}
    changes = {"reset-password": reset_password}

    async def go() -> None:
        await prepare_database(settings)
        try:
            await {**commands, **changes}.get(args.staff_command, change)()
        except (DomainError, ValidationErrors) as exc:
            options = {"email": "--email", "name": "--name", "password": "password"}
            if args.staff_command not in commands:
                options = {"email": "EMAIL"}
            raise _refused(exc, options) from None

    _run(go)


def cmd_events(settings: Settings, args: argparse.Namespace) -> None:
    from backend.db import prepare_database
    from backend.services import webhooks

    async def listing() -> None:
        lines = await webhooks.list_deliveries(failed=args.failed, limit=args.limit)
        if not lines:
            print("no failed deliveries" if args.failed else "no events", file=sys.stderr)
        for line in lines:
            delivery = (
                f"{line.endpoint}={line.status}  attempts={line.attempts}"
                if line.endpoint
                else "no endpoint"
            )
            due = f"  next={_when(line.next_attempt_at)}" if line.next_attempt_at else ""
            error = f"  last-error={line.last_error}" if line.last_error else ""
            print(
                f"{line.uid}  {line.type}  customer={line.customer_number or '-'}  "
                f"created={_when(line.created_at)}  {delivery}{due}{error}"
            )

    async def retrying() -> None:
        try:
            retried = await webhooks.retry(args.ids)
        except DomainError as exc:
            raise UsageError(f"no event {exc.params['uid']!r}") from None
        changed = retried.changed
        print(f"{changed} deliver{'y' if changed == 1 else 'ies'} due now")
        for uid in retried.nothing_to_send:
            print(
                f"{uid}: nothing re-sent (only dead or waiting deliveries are re-sent; "
                "its deliveries are delivered or being sent)",
                file=sys.stderr,
            )

    async def go() -> None:
        await prepare_database(settings)
        await (listing if args.events_command == "list" else retrying)()

    _run(go)


def _limit(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {raw!r}") from None
    if not 1 <= value <= 10000:
        raise argparse.ArgumentTypeError(f"must be between 1 and 10000, got {value}")
    return value


def cmd_export_schema(_settings: Settings, args: argparse.Namespace) -> None:
    from backend.console.schema import build_console_schema
    from backend.operator.schema import build_operator_schema
    from backend.schema import build_schema

    if args.operator and args.console:
        raise SystemExit("icok export-schema: give --operator or --console, not both")
    build = (
        build_operator_schema
        if args.operator
        else build_console_schema
        if args.console
        else build_schema
    )
    _write_output(build(production=False).as_str() + "\n", args.output)


def _write_output(text: str, output: str | None) -> None:
    """``text`` into the file ``output`` (saying so on stderr), or on stdout when it is None."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def cmd_export_operations(_settings: Settings, args: argparse.Namespace) -> None:
    from backend import trusted_documents

    directory = (
        trusted_documents.CONSOLE_OPERATIONS if args.console else trusted_documents.SPA_OPERATIONS
    )
    try:
        text = trusted_documents.manifest_text(directory)
    except ValueError as exc:
        raise CLIError(f"cannot read the operations in {directory}: {exc}") from None
    _write_output(text, args.output)


def _port(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {raw!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, got {value}")
    return value


def _workers(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least one worker is needed, got {value}")
    return value


def _minutes(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of minutes: {raw!r}") from None
    if not 0 <= value <= 7 * 24 * 60:
        raise argparse.ArgumentTypeError(f"minutes must be between 0 and 10080, got {value}")
    return value


def _batch_size(raw: str) -> int:
    from backend.services.feed import MAX_BATCH

    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from None
    if not 1 <= value <= MAX_BATCH:
        raise argparse.ArgumentTypeError(f"batch size must be between 1 and {MAX_BATCH}")
    return value


def _input_file(raw: str) -> str:
    """A file to read: a regular file, a pipe or a character device (``/dev/null`` is an empty
    input), or ``-`` for stdin; a directory or anything else is refused."""
    import stat

    if raw == "-":
        return raw
    try:
        mode = Path(raw).stat().st_mode
    except FileNotFoundError:
        raise argparse.ArgumentTypeError(f"no such file: {raw!r}") from None
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot open {raw!r}: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise argparse.ArgumentTypeError(f"{raw!r} is a directory, not a file")
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        raise argparse.ArgumentTypeError(f"{raw!r} is not a regular file")
    return raw


def _wait_seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {raw!r}") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 3600 seconds, got {raw}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="icok",
        description="ICOK: the customer self-service portal (GraphQL API and web app).",
        epilog="Configuration comes from ICOK_* environment variables and an optional .env file.",
    )
    parser.add_argument("--version", action="version", version=f"icok {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web server", description="Run the portal.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (8000)")
    serve.add_argument(
        "--demo", action="store_true", help="load the demo data first when the database is empty"
    )
    serve.add_argument("--reload", action="store_true", help="restart on code changes (dev)")
    serve.add_argument("--workers", type=_workers, default=1, help="number of worker processes (1)")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser(
        "migrate",
        help="apply database migrations",
        description=(
            "Apply pending migrations, one migration at a time per database: a second "
            "'icok migrate' (or a server creating its embedded database) waits for the first, "
            "then finds nothing left to do."
        ),
    )
    migrate.add_argument(
        "--wait",
        type=_wait_seconds,
        default=db.MIGRATION_WAIT_SECONDS,
        metavar="SECONDS",
        help="how long to wait for another migration of the database to finish, "
        f"then fail (default {db.MIGRATION_WAIT_SECONDS:g})",
    )
    migrate.set_defaults(func=cmd_migrate)

    seed = commands.add_parser(
        "seed", help="load data", description="Load the demo catalogue and customers (idempotent)."
    )
    seed.add_argument("--demo", action="store_true", help="load the demo data set")
    seed.set_defaults(func=cmd_seed)

    imports = commands.add_parser(
        "import",
        help="load the operator's data from a JSON Lines file",
        description=(
            "Load the operator's data from FILE, one JSON object per line: "
            '{"type": "customer", "number": ..., "firstName": ...}, the shapes of the operator '
            "API. Lines are applied in batches, each object created, updated or left unchanged "
            "when what is stored is already equal (so re-running a file resumes it). Rejected "
            "lines are reported (line, type, key, field, code, message) and the rest goes on. "
            "Exit status: 0 when no line was rejected, 1 when some were, 2 for usage errors."
        ),
    )
    imports.add_argument(
        "file", type=_input_file, metavar="FILE", help="the JSON Lines file, - for stdin"
    )
    imports.add_argument(
        "--dry-run", action="store_true", help="check and report everything, write nothing"
    )
    imports.add_argument(
        "--batch-size",
        type=_batch_size,
        default=500,
        metavar="N",
        help="objects per batch, 1-500 (500)",
    )
    imports.add_argument(
        "--report",
        metavar="FILE",
        help="write the rejected lines here as JSON Lines instead of to stderr",
    )
    imports.set_defaults(func=cmd_import)

    cleanup = commands.add_parser(
        "cleanup",
        help="delete stale rows, expire stale payments",
        description=(
            "Delete sessions that ended more than a day ago, used or expired e-mail and "
            "password links, expired captchas and ended rate-limit windows, and expire payments "
            "left pending longer than ICOK_PAYMENT_TIMEOUT_SECONDS. Safe while the server runs "
            "(e.g. hourly from cron); prints what it removed."
        ),
    )
    cleanup.set_defaults(func=cmd_cleanup)

    payments = commands.add_parser(
        "payments",
        help="payment operations",
        description="Operations on customers' payments.",
    )
    payment_commands = payments.add_subparsers(
        dest="payments_command", required=True, metavar="COMMAND"
    )
    reconcile = payment_commands.add_parser(
        "reconcile",
        help="ask the providers about pending payments",
        description=(
            "Ask the payment provider about every payment still pending MINUTES after it was "
            "started (the oldest 100 per run), and settle it (paid, failed, cancelled) or expire "
            "it (no order, or still pending past ICOK_PAYMENT_TIMEOUT_SECONDS), so a lost "
            "notification never leaves money unaccounted for. Safe while the server runs (whose "
            "background worker does the same every minute); prints what it changed."
        ),
    )
    reconcile.add_argument(
        "--older-than",
        type=_minutes,
        default=5,
        metavar="MINUTES",
        help="only payments started at least this long ago (5)",
    )
    reconcile.set_defaults(func=cmd_payments_reconcile)

    export = commands.add_parser(
        "export-schema",
        help="print the GraphQL SDL",
        description=(
            "Print the GraphQL schema (SDL), as committed in schema.graphql, or with --operator "
            "the operator API's, as committed in operator.graphql, or with --console the "
            "customer-service console's, as committed in console.graphql."
        ),
    )
    export.add_argument("-o", "--output", help="write to this file instead of stdout")
    export.add_argument(
        "--operator", action="store_true", help="the operator API's schema (/operator/graphql)"
    )
    export.add_argument(
        "--console", action="store_true", help="the console's schema (/console/graphql)"
    )
    export.set_defaults(func=cmd_export_schema)

    operations = commands.add_parser(
        "export-operations",
        help="print the SPA's trusted-documents manifest",
        description=(
            "Print the manifest of the GraphQL operations the SPA sends (frontend/js/operations), "
            "a JSON object of SHA-256 to document, as committed in "
            "backend/assets/trusted-documents/customer.json, or with --console the console's "
            "(frontend/console/js/operations), as committed in .../console.json."
        ),
    )
    operations.add_argument("-o", "--output", help="write to this file instead of stdout")
    operations.add_argument(
        "--console", action="store_true", help="the console's operations (/console/graphql)"
    )
    operations.set_defaults(func=cmd_export_operations)

    from backend.services.operator_keys import Scope

    operator_key = commands.add_parser(
        "operator-key",
        help="the operator's API keys",
        description="Create, list and revoke the keys of the operator API (/operator/graphql).",
    )
    key_commands = operator_key.add_subparsers(dest="key_command", required=True, metavar="COMMAND")
    create = key_commands.add_parser(
        "create",
        help="create a key and print it (once)",
        description=(
            "Create an operator API key and print it on stdout. It is shown only this once: "
            "only its SHA-256 hash is stored."
        ),
    )
    create.add_argument("--name", required=True, help="a unique name, 1-64 characters")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        metavar="SCOPE",
        help=f"a scope the key grants, repeatable: {', '.join(Scope)}",
    )
    key_commands.add_parser(
        "list",
        help="list the keys",
        description="List every key: name, prefix, scopes, created, last used, revoked.",
    )
    revoke = key_commands.add_parser(
        "revoke",
        help="revoke a key",
        description="Revoke a key at once (revoking a revoked key changes nothing).",
    )
    revoke.add_argument("name", metavar="NAME", help="the key's name")
    operator_key.set_defaults(func=cmd_operator_key)

    staff = commands.add_parser(
        "staff",
        help="the customer-service console's staff accounts",
        description="Create, list, disable and enable console accounts, reset their TOTP.",
    )
    staff_commands = staff.add_subparsers(dest="staff_command", required=True, metavar="COMMAND")
    new_staff = staff_commands.add_parser(
        "create",
        help="create an account and print its initial password (once)",
        description=(
            "Create a console account. A strong initial password is generated and printed on "
            "stdout, only this once (or read from the first line of stdin with "
            "--password-stdin). The first login sets up the TOTP second factor."
        ),
    )
    new_staff.add_argument("--email", required=True, help="the login e-mail address")
    new_staff.add_argument(
        "--name", required=True, help="the name colleagues see, 1-100 characters"
    )
    new_staff.add_argument("--role", required=True, choices=["agent", "supervisor", "admin"])
    new_staff.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    staff_commands.add_parser("list", help="list the accounts", description="List every account.")
    for name, text in (
        ("disable", "disable an account (and end its sessions)"),
        ("enable", "enable a disabled account (and lift a lockout)"),
        ("reset-2fa", "forget the TOTP secret and recovery codes: the next login enrols again"),
        (
            "reset-password",
            "print a new initial password once (valid 72 hours, replaced at the next login), "
            "forget the second factor and end the sessions",
        ),
    ):
        change = staff_commands.add_parser(
            name, help=text, description=text[0].upper() + text[1:] + "."
        )
        change.add_argument("email", metavar="EMAIL", help="the account's e-mail address")
    staff.set_defaults(func=cmd_staff)

    events = commands.add_parser(
        "events",
        help="the events for the operator and their webhook deliveries",
        description="List the outbox's events with their deliveries, retry failed ones.",
    )
    event_commands = events.add_subparsers(dest="events_command", required=True, metavar="COMMAND")
    listing = event_commands.add_parser(
        "list",
        help="list events and deliveries, newest first",
        description="One line per event and endpoint: uid, type, customer, status, attempts, "
        "the next attempt and the last error.",
    )
    listing.add_argument(
        "--failed", action="store_true", help="only dead deliveries and those failing now"
    )
    listing.add_argument("--limit", type=_limit, default=50, help="at most N lines (50)")
    retry = event_commands.add_parser(
        "retry",
        help="send events' dead or pending deliveries now",
        description="Make the dead or pending (waiting) deliveries of the events due now (a "
        "dead one gets all its attempts again); delivered ones are not sent again. An unknown "
        "id changes nothing.",
    )
    retry.add_argument("ids", nargs="+", metavar="ID", help="an event's id (evt_...)")
    events.set_defaults(func=cmd_events)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from backend.db import MigrationsPending
    from backend.logging_setup import configure as configure_logging

    args = build_parser().parse_args(argv)
    configure_logging(LogFormat.TEXT)  # (until the settings say otherwise)
    try:
        settings = load_settings()
        configure_logging(settings.log_format)
        status = args.func(settings, args)
    except UsageError as exc:
        _fail(str(exc))
        return 2
    except (*EXPECTED, CLIError, MigrationsPending) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    sys.exit(main())
