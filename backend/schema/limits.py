"""Limits on the GraphQL documents a client may send: their shape, and what they cost to answer.

Two checks, both before anything expensive happens to a document, in every ICOK schema (customer,
operator, console: :func:`backend.schema.merged_schema` installs :class:`DocumentLimits`):

- **Shape**, before graphql-core's validation (:func:`check_shape`): the deepest field nesting,
  the aliases, the fragment spreads expanded and the directives, counted over the document with
  each fragment walked once however often it is spread (``fragment F20 { ...F19 ...F19 }`` counts
  2**20 expansions from 21 small sums), and fragment cycles. graphql-core's validation and
  execution expand fragments again and again; a document refused here never reaches them.
- **Cost**, after validation and before execution (:func:`cost`): every field costs 1, and a list
  of objects costs its children once per item it may hold: the page size for the lists inside a
  connection (the larger of ``first``/``last``, else the argument's default, else
  ``services.paging.DEFAULT_PAGE_SIZE``), the number of IDs for ``nodes(ids:)`` (at most
  ``relay.MAX_NODES``, else ``PAGE_SIZE_TOO_LARGE``), :data:`LIST_SIZE` for other lists; every
  item of a list given as an argument (an operator's batch) costs 1 more. Arguments and variables
  are taken as graphql-core coerces them for execution. The total must fit the caller's budget
  (:class:`Budgets`: anonymous callers get less).

Refusals are GraphQL errors with a translated message and ``extensions.code`` (``QUERY_TOO_DEEP``,
``TOO_MANY_ALIASES``, ``TOO_MANY_FRAGMENT_SPREADS``, ``TOO_MANY_DIRECTIVES``, ``FRAGMENT_CYCLE``,
``QUERY_TOO_COSTLY``, ``PAGE_SIZE_TOO_LARGE``), the limit in ``max`` and what was found in
``found`` (``cost`` for the cost), answered like validation errors (no ``data``).

The rule objects here are built once per schema, so strawberry's ``ValidationCache`` (keyed by
the document and the validation rules) answers a repeated document without validating it again;
likewise :class:`LimitsCache` (one per schema) keeps the texts that passed the shape check and
each operation's cost per variables, so a repeated document is not walked again (its cost is
still compared with each request's budget; refusals are never cached).
Sources: graphql-cop's "directive overloading" check (a document repeating one directive);
the cost model follows GitHub's GraphQL API rate limit (connections weighted by ``first``).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension

from backend.models.enums import Language
from backend.schema.query_errors import query_error
from backend.schema.relay import MAX_NODES
from backend.services.errors import DomainError, ErrorCode
from backend.services.paging import DEFAULT_PAGE_SIZE

MAX_DEPTH = 12
"""Fields nested in one another, fragments expanded (``{ viewer { invoices { nodes { id } } } }``
is 4 deep). Introspection fields (``__schema`` and all in it) do not count: GraphiQL's query nests
``ofType`` deeper than any of ours, and the schema bounds what they return."""
MAX_ALIASES = 30
"""Aliased fields in a document, fragments expanded."""
MAX_FRAGMENT_SPREADS = 50
"""Fragment spreads in a document, each expansion counted (GraphiQL's introspection query: 10)."""
MAX_DIRECTIVES = 8
"""Directives in a document, fragments expanded. Under 10: graphql-cop's "directive
overloading" check repeats one directive 10 times on a field and flags a server that answers
10 errors (one per directive) instead of refusing the document."""
MAX_FIELDS_PER_SELECTION = 100
"""Fields selected in one selection set, with the fields of the fragments and inline fragments
spread into it (``{ packages { id } packages { id } }`` selects 2 in the top one). graphql-core's
``OverlappingFieldsCanBeMerged`` compares every pair of same-named fields in a selection set and
then their sub-selections: 570 unaliased ``packages { channels { name } }`` took 1.8 s."""
MAX_FIELDS = 1_000
"""Fields selected in the whole document, fragments expanded where spread (what validation and
execution walk)."""
MAX_REPEATED_FIELDS = 1_000
"""Pairs of fields at one response path (``{ packages { id } packages { id } }``: 2 pairs,
``packages`` and ``packages.id``), in each operation and fragment, fragments expanded: what
``OverlappingFieldsCanBeMerged`` compares. Bounds what the two limits above leave: 20
``packages`` with 20 ``channels { name }`` each (about 160,000 pairs) took 0.8 s to validate."""
MAX_NESTING = 64
"""Selection sets, fragments and inline fragments nested in one another (a bound on the walk's
own recursion; a document within the other limits is far from it)."""
LIST_SIZE = 3
"""Items assumed in a list that neither pages nor takes IDs and is not in :data:`LIST_SIZES`:
what a customer has (contracts, services, devices, an invoice's lines), a few of each; more only
multiplies what the customer owns, not what a client can ask for."""
LIST_SIZES = {
    "Package.channels": 100,
    "Query.vodTitles": 100,
    "Viewer.vodCatalogue": 100,
    "Query.packages": 50,
}
"""Items assumed in the unpaged lists that may be long (``Type.field``): the catalogue's, the
same for every caller, which aliases and nesting could otherwise repeat cheaply."""


@dataclass(frozen=True)
class Budgets:
    """The cost a request may have: ``known`` for a caller who authenticated (a customer's
    session, a staff member's, an operator's API key), ``anonymous`` for others."""

    anonymous: int
    known: int


CUSTOMER_BUDGETS = Budgets(anonymous=10_000, known=50_000)
"""``/graphql``: the SPA's costliest operations cost 53 (anonymous) and 2,031 (``Payments``);
the public catalogue with the packages' channels about 6,000 (``tests/api/test_catalog``).
``tests/api/test_document_limits`` keeps a margin of 3 for the SPA's. A cost of 50,000 is about
0.2 s of CPU (the 30-alias ``nodes`` document costs 915,030 and took 3.3 s before it was refused,
``bench/hostile_requests.py``)."""
CONSOLE_BUDGETS = Budgets(anonymous=10_000, known=50_000)
"""``/console/graphql``: the console's costliest operation (``ConsoleCustomer``) costs 1,712."""
OPERATOR_BUDGETS = Budgets(anonymous=10_000, known=20_000)
"""``/operator/graphql`` (every request has a key): a batch of 500 items costs about 550,
``events(first: 500)`` about 500 per field asked of an event."""


def _refusal(
    code: ErrorCode, language: Language, field: str | None = None, **params: Any
) -> GraphQLError:
    return query_error(DomainError(code, field, params), language)


# --- shape ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a selection set (or a fragment, or a document) holds, fragments expanded: ``depth``
    (deepest field nesting, introspection fields not counted), ``aliases``, ``spreads``
    (fragment spreads expanded), ``directives``, ``fields`` (all field selections) and
    ``width`` (the field selections of the selection set itself, with those of the fragments
    and inline fragments spread into it, not those nested in its fields)."""

    depth: int = 0
    aliases: int = 0
    spreads: int = 0
    directives: int = 0
    fields: int = 0
    width: int = 0
    repeats: int = 0

    def __add__(self, other: Shape) -> Shape:
        return Shape(
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.spreads + other.spreads,
            self.directives + other.directives,
            self.fields + other.fields,
            self.width + other.width,
            self.repeats + other.repeats,
        )


class _ShapeWalk:
    """One walk over a document; each fragment's :class:`Shape` is computed once (memoised by
    name) and added wherever it is spread. ``visits`` counts the selections walked (tests
    assert the fragment bomb walks each of its selections once)."""

    def __init__(self, document: DocumentNode, language: Language) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.language = language
        self.shapes: dict[str, Shape] = {}
        self.walking: set[str] = set()
        self.visits = 0

    def fragment(self, name: str, nesting: int) -> Shape:
        known = self.shapes.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None:
            return Shape()  # (validation reports an unknown fragment)
        if name in self.walking:
            raise _refusal(ErrorCode.FRAGMENT_CYCLE, self.language, fragment=name)
        self.walking.add(name)
        introspection = definition.type_condition.name.value.startswith("__")
        shape = self.selections(definition.selection_set, nesting + 1, introspection)
        shape += Shape(directives=len(definition.directives or ()))
        self.walking.discard(name)
        self.shapes[name] = self.checked(shape)
        return shape

    def selections(
        self, selection_set: SelectionSetNode | None, nesting: int, introspection: bool = False
    ) -> Shape:
        """The shape of ``selection_set``; ``introspection``: on an introspection type (its
        fields add no depth)."""
        if selection_set is None:
            return Shape()
        if nesting > MAX_NESTING:
            raise _refusal(ErrorCode.QUERY_TOO_DEEP, self.language, max=MAX_DEPTH, found=nesting)
        total = Shape()
        for selection in selection_set.selections:
            self.visits += 1
            directives = len(selection.directives or ())
            if isinstance(selection, FieldNode):
                inside = introspection or selection.name.value.startswith("__")
                inner = self.selections(selection.selection_set, nesting + 1, inside)
                total += Shape(
                    0 if inside else inner.depth + 1,
                    inner.aliases + (selection.alias is not None),
                    inner.spreads,
                    inner.directives + directives,
                    inner.fields + 1,
                    1,  # (its own selections' width was checked in theirs)
                )
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value, nesting)
                total += inner + Shape(spreads=1, directives=directives)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inside = introspection or bool(condition and condition.name.value[:2] == "__")
                total += self.selections(selection.selection_set, nesting + 1, inside)
                total += Shape(directives=directives)
            self.checked(total)  # (refused as soon as a sum is over, before it grows further)
        return total

    def checked(self, shape: Shape) -> Shape:
        for code, found, limit in (
            (ErrorCode.QUERY_TOO_DEEP, shape.depth, MAX_DEPTH),
            (ErrorCode.TOO_MANY_ALIASES, shape.aliases, MAX_ALIASES),
            (ErrorCode.TOO_MANY_FRAGMENT_SPREADS, shape.spreads, MAX_FRAGMENT_SPREADS),
            (ErrorCode.TOO_MANY_DIRECTIVES, shape.directives, MAX_DIRECTIVES),
            (ErrorCode.TOO_MANY_FIELDS, shape.fields, MAX_FIELDS),
            (ErrorCode.SELECTION_TOO_WIDE, shape.width, MAX_FIELDS_PER_SELECTION),
        ):
            if found > limit:
                raise _refusal(code, self.language, max=limit, found=_bounded(found))
        return shape


def _bounded(number: int) -> int | str:
    """``number``, or its order of magnitude when it is too long to answer (a fragment bomb's
    2**1000 expansions)."""
    return number if number < 10**15 else f">10^{len(str(number)) - 1}"


def check_shape(document: DocumentNode, language: Language) -> Shape:
    """The document's :class:`Shape` (all its operations and fragments, fragments expanded
    where spread); raises a coded ``GraphQLError`` (see the module) for the first limit passed,
    or ``FRAGMENT_CYCLE`` (``fragment``: the name) for a fragment that spreads itself."""
    return _walk_shape(_ShapeWalk(document, language), document)


def shape_visits(document: DocumentNode) -> int:
    """Selections :func:`check_shape` walks for ``document`` before it answers or refuses (for
    tests: a fragment bomb costs its size, not its expansion)."""
    walk = _ShapeWalk(document, Language.EN)
    with suppress(GraphQLError):
        _walk_shape(walk, document)
    return walk.visits


def _walk_shape(walk: _ShapeWalk, document: DocumentNode) -> Shape:
    total = Shape()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            operation = walk.selections(definition.selection_set, 0)
            total += replace(operation, width=0)  # (each operation's own, checked in its walk)
            variable_directives = sum(
                len(v.directives or ()) for v in definition.variable_definitions or ()
            )
            total += Shape(directives=len(definition.directives or ()) + variable_directives)
            walk.checked(total)
        elif isinstance(definition, FragmentDefinitionNode):
            # (unused ones are validated too; each definition's fields count, as validation
            # walks each definition)
            total += Shape(fields=walk.fragment(definition.name.value, 0).fields)
            walk.checked(total)
    return replace(total, repeats=_repeats(walk, document))


def _repeats(walk: _ShapeWalk, document: DocumentNode) -> int:
    """Pairs of fields at the same response path (``packages.channels``) in each definition of
    ``document``, fragments expanded: the pairs graphql-core's ``OverlappingFieldsCanBeMerged``
    compares at most. Raises ``TOO_MANY_REPEATED_FIELDS`` as soon as they pass
    :data:`MAX_REPEATED_FIELDS`. Called on a document within :data:`MAX_FIELDS` (counted over
    every definition, fragments expanded) and without cycles, so its walk is that long."""
    paths: dict[tuple[int, str], int] = {}
    counts: dict[int, int] = {}
    pairs = 0

    def walk_set(selection_set: SelectionSetNode | None, parent: int) -> None:
        nonlocal pairs
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                path = paths.setdefault((parent, name), len(paths) + 1)
                seen = counts.get(path, 0)
                counts[path] = seen + 1
                pairs += seen
                if pairs > MAX_REPEATED_FIELDS:
                    raise _refusal(
                        ErrorCode.TOO_MANY_REPEATED_FIELDS,
                        walk.language,
                        max=MAX_REPEATED_FIELDS,
                        found=f">{MAX_REPEATED_FIELDS}",
                    )
                walk_set(selection.selection_set, path)
            elif isinstance(selection, FragmentSpreadNode):
                definition = walk.fragments.get(selection.name.value)
                if definition is not None:
                    walk_set(definition.selection_set, parent)
            elif isinstance(selection, InlineFragmentNode):
                walk_set(selection.selection_set, parent)

    for root, definition in enumerate(document.definitions):
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            walk_set(definition.selection_set, -1 - root)  # (each definition's own paths)
    return pairs


# --- cost ----------------------------------------------------------------------------------


class _CostWalk:
    """The cost of one operation with the request's variables; each fragment's cost is computed
    once per page size it is spread under."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: VariableValues,
        language: Language,
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = variables
        self.language = language
        self.memo: dict[tuple[str, int | None], int] = {}

    def selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, page: int | None
    ) -> int:
        """The cost of ``selection_set`` on ``parent``: its fields, plus the fragments on
        ``parent`` itself, plus the costliest of those on other types (``node { ... on Invoice
        {...} ... on Package {...} }``: an object is of one type)."""
        if selection_set is None:
            return 0
        total = 0
        conditioned: dict[str, int] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
                continue
            if isinstance(selection, FragmentSpreadNode):
                definition = self.fragments[selection.name.value]
                condition = definition.type_condition.name.value
                spent = self.fragment(selection.name.value, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else ""
                named = self.schema.get_type(condition) if condition else parent
                spent = self.selections(selection.selection_set, named or parent, page)
            else:  # pragma: no cover (graphql-core has no other selection)
                continue
            if condition in ("", parent.name):
                total += spent
            else:
                conditioned[condition] = conditioned.get(condition, 0) + spent
        return total + max(conditioned.values(), default=0)

    def fragment(self, name: str, page: int | None) -> int:
        key = (name, page)
        if key not in self.memo:
            definition = self.fragments[name]
            named = self.schema.get_type(definition.type_condition.name.value)
            assert named is not None  # (the document is valid)
            self.memo[key] = self.selections(definition.selection_set, named, page)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, page: int | None) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0 if name == "__typename" else 1  # (introspection: the schema's own size)
        fields = (
            parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        )
        definition = fields.get(name)
        if definition is None:
            return 1  # (not in a valid document; counted, not walked)
        try:
            arguments = get_argument_values(definition, node, self.variables)
        except GraphQLError:  # (execution refuses it the same way, before any resolver)
            arguments = {}
        items = sum(_items(value) for value in arguments.values())
        size = 1
        if is_list_type(get_nullable_type(definition.type)):
            if "ids" in definition.args:
                size = _length(arguments.get("ids"))
                if size > MAX_NODES:
                    raise _refusal(
                        ErrorCode.PAGE_SIZE_TOO_LARGE, self.language, "ids", max=MAX_NODES
                    )
            elif page is not None:
                size = page
            else:
                size = LIST_SIZES.get(f"{parent.name}.{name}", LIST_SIZE)
        pages = [
            max(arguments[limit], 0)
            for limit in ("first", "last")
            if limit in definition.args and isinstance(arguments.get(limit), int)
        ]
        inner_page = (
            max(pages, default=DEFAULT_PAGE_SIZE)
            if "first" in definition.args or "last" in definition.args
            else None
        )
        named = get_named_type(definition.type)
        inner = 0 if is_leaf_type(named) else self.selections(node.selection_set, named, inner_page)
        return 1 + items + size * inner


def _length(value: Any) -> int:
    """How many items a list argument holds: a single value stands for a list of one (GraphQL's
    input coercion), null for none."""
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def _items(value: Any) -> int:
    """Items of the lists in an argument's value, inside input objects too (a batch's
    ``input: {items: [...]}``), not inside the items (a package's channels)."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict):
        return sum(_items(v) for v in value.values())
    return 0


def cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
    language: Language,
) -> int:
    """The cost of ``operation`` (of a document that passed validation) with ``variables`` (as
    the client sent them), see the module. The variables and arguments are costed as graphql-core
    coerces them for execution (``get_variable_values``, ``get_argument_values``: ``first: 1e2``
    in the variables is the Int 100); variables it cannot coerce cost nothing, since execution
    refuses them before any resolver. Raises ``PAGE_SIZE_TOO_LARGE`` (field ``ids``, ``max``) for
    ``nodes(ids:)`` with more than ``relay.MAX_NODES`` IDs."""
    root = schema.get_root_type(operation.operation)
    assert root is not None  # (the document is valid)
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    if isinstance(coerced, list):
        return 0
    walk = _CostWalk(schema, document, operation, coerced, language)
    return walk.selections(operation.selection_set, root, None)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


class LimitsCache:
    """What :class:`DocumentLimits` found for documents it has seen, one per schema: the texts
    that passed :func:`check_shape` and the cost of an operation with given variables (only
    answers that were not refusals: a refused document is checked, and refused, every time; a
    cost is still compared with each request's budget). At most ``maxsize`` entries each, least
    recently used dropped; variables longer than :data:`CACHED_VARIABLES_CHARS` (as JSON) are
    not cached."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self.shapes: OrderedDict[str, None] = OrderedDict()
        self.costs: OrderedDict[tuple[str, str | None, str], int] = OrderedDict()

    def shape_passed(self, query: str) -> bool:
        if query in self.shapes:
            self.shapes.move_to_end(query)
            return True
        return False

    def add_shape(self, query: str) -> None:
        self.shapes[query] = None
        if len(self.shapes) > self.maxsize:
            self.shapes.popitem(last=False)

    def cost(self, key: tuple[str, str | None, str]) -> int | None:
        found = self.costs.get(key)
        if found is not None:
            self.costs.move_to_end(key)
        return found

    def add_cost(self, key: tuple[str, str | None, str], spent: int) -> None:
        self.costs[key] = spent
        if len(self.costs) > self.maxsize:
            self.costs.popitem(last=False)


CACHED_VARIABLES_CHARS = 2_000
"""Variables (as JSON) longer than this: the cost is computed for every request (an operator's
batch), not kept in :class:`LimitsCache`."""


def _variables_key(variables: Mapping[str, Any] | None) -> str | None:
    """``variables`` as a cache key (sorted JSON), or None when not cacheable."""
    try:
        key = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return key if len(key) <= CACHED_VARIABLES_CHARS else None


class DocumentLimits(SchemaExtension):
    """Strawberry extension: :func:`check_shape` before validation, the cost against the
    caller's budget after it (``QUERY_TOO_COSTLY``, ``max`` the budget, ``cost``). ``budget``
    tells the request's budget from its context; ``cache`` (one per schema) remembers the
    documents that passed and their costs, so a repeated document is not walked again. Listed
    before ``ValidationCache``."""

    def __init__(self, *, budget: Callable[[Any], int], cache: LimitsCache | None = None) -> None:
        self.budget = budget
        self.cache = cache if cache is not None else LimitsCache(maxsize=0)

    def _language(self) -> Language:
        return getattr(self.execution_context.context, "language", Language.PL)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        query = context.query or ""
        if document is not None and not self.cache.shape_passed(query):
            check_shape(document, self._language())
            if query:
                self.cache.add_shape(query)
        yield
        if document is None or context.pre_execution_errors:
            return
        operation = _operation(document, context.operation_name)
        if operation is None:
            return
        language = self._language()
        variables = _variables_key(context.variables)
        key = (query, context.operation_name, variables or "")
        spent = self.cache.cost(key) if query and variables is not None else None
        if spent is None:
            spent = cost(context.schema._schema, document, operation, context.variables, language)
            if query and variables is not None:
                self.cache.add_cost(key, spent)
        budget = self.budget(context.context)
        if spent > budget:
            raise _refusal(ErrorCode.QUERY_TOO_COSTLY, language, max=budget, cost=spent)
