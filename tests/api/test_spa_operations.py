"""Every GraphQL operation the SPA sends is valid against the live schema.

The SPA keeps its operations in ``frontend/js/operations/*.js`` as ``/* GraphQL */`` template
strings; ``${NAME}`` interpolations refer to string constants of the same file. This test
extracts them as the trusted-documents manifest does (``backend.trusted_documents.operations``),
and runs graphql-core's
``validate`` against the schema the server builds (development mode, the same types as
production). A renamed or removed field therefore breaks this test, not the customer's screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, OperationDefinitionNode, parse, validate

from backend.schema import build_schema
from backend.trusted_documents import operations

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
OPERATIONS_DIR = FRONTEND / "js" / "operations"


def named_operations(directory: Path) -> list[tuple[str, str]]:
    """``("module:OperationName", document)`` for every operation in ``directory``."""
    found = []
    for stem, document in operations(directory):
        name = re.search(r"(?:query|mutation|subscription)\s+(\w+)", document)
        found.append((f"{stem}:{name.group(1) if name else '?'}", document))
    return found


OPERATIONS = named_operations(OPERATIONS_DIR)
SCHEMA = build_schema(production=False)._schema


def test_operations_are_found() -> None:
    # Guards the extraction itself: an empty or broken glob would make the checks below vacuous.
    assert len(OPERATIONS) >= 30, [name for name, _ in OPERATIONS]


def test_operation_names_are_unique_and_present() -> None:
    names = [name for name, _ in OPERATIONS]
    assert all(not n.endswith(":?") for n in names), names
    bare = [n.split(":", 1)[1] for n in names]
    assert len(bare) == len(set(bare)), sorted(bare)


def test_every_operation_file_is_used_by_the_app() -> None:
    sources = "\n".join(p.read_text() for p in (FRONTEND / "js").rglob("*.js"))
    for path in OPERATIONS_DIR.glob("*.js"):
        assert f"operations/{path.name}" in sources, f"{path.name} is imported nowhere"


@pytest.mark.parametrize(("name", "document"), OPERATIONS, ids=[n for n, _ in OPERATIONS])
def test_operation_is_valid_against_the_schema(name: str, document: str) -> None:
    ast = parse(document)
    definitions = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(definitions) == 1, f"{name}: one operation per template"
    errors = validate(SCHEMA, ast)
    assert not errors, f"{name}: " + "; ".join(e.message for e in errors)


def _dictionary_keys(path: Path) -> set[str]:
    return set(re.findall(r"^\s*'([\w.]+)':", path.read_text(), re.M))


def test_both_languages_have_the_same_texts() -> None:
    pl = _dictionary_keys(FRONTEND / "js" / "i18n" / "pl.js")
    en = _dictionary_keys(FRONTEND / "js" / "i18n" / "en.js")
    assert len(pl) > 100
    assert pl - en == set(), "missing in English"
    assert en - pl == set(), "missing in Polish"


def test_static_keys_used_by_the_app_exist() -> None:
    keys = _dictionary_keys(FRONTEND / "js" / "i18n" / "pl.js")
    used: set[str] = set()
    for path in (FRONTEND / "js").rglob("*.js"):
        used |= set(re.findall(r"\bt\('([\w]+\.[\w.]+)'", path.read_text()))
    assert used, "no t('...') calls found"
    assert used - keys == set()


# Screens translate enum values with keys like ``serviceKind.satellite_tv``: every value the
# API can send must have a text, or a customer would see the raw key.
ENUM_TEXTS = {
    "audit": "AuditKind",
    "serviceKind": "ServiceKind",
    "packageKind": "PackageKind",
    "deviceKind": "DeviceKind",
    "ownership": "Ownership",
    "commandKind": "CommandKind",
    "commandStatus": "CommandStatus",
    "contractStatus": "ContractStatus",
    "serviceStatus": "ServiceStatus",
    "suspension": "SuspensionReason",
    "invoice": "InvoiceStatus",
    "paymentStatus": "PaymentStatus",
    "paymentReturn": "PaymentStatus",
    "purpose": "PaymentPurpose",
    "method": "PaymentMethod",
    "walletKind": "WalletTransactionKind",
    "titleKind": "TitleKind",
    "category": "MessageCategory",
    "topic": "ContactTopic",
    "contactStatus": "ContactStatus",
    "subscriptionState": "SubscriptionState",
}


@pytest.mark.parametrize(("prefix", "enum"), ENUM_TEXTS.items(), ids=list(ENUM_TEXTS))
def test_every_enum_value_has_a_text(prefix: str, enum: str) -> None:
    keys = _dictionary_keys(FRONTEND / "js" / "i18n" / "pl.js")
    found = SCHEMA.get_type(enum)
    assert isinstance(found, GraphQLEnumType), enum
    values = found.values
    missing = [v for v in values if f"{prefix}.{v.lower()}" not in keys]
    assert missing == []


def test_index_preloads_every_module() -> None:
    """index.html lists every module for ``modulepreload`` (one round trip instead of one per
    import level); a module added without its line would load late, one removed would 404."""
    index = (FRONTEND / "index.html").read_text()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', index))
    modules = {
        "/" + str(p.relative_to(FRONTEND))
        for p in (FRONTEND / "js").rglob("*.js")
        if p.name not in ("app.js", "graphiql-init.js")
    }
    assert preloaded == modules | {"/vendor/preact-htm.js"}
