"""The schema layer's conventions hold for every mutation: one way to turn expected failures into
``errors``, and services' own parameter names mapped to the GraphQL input names in one place."""

from __future__ import annotations

import typing

import pytest
from graphql import GraphQLObjectType, get_named_type
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.utils.str_converters import to_camel_case

from backend.models.enums import Language
from backend.schema import build_schema
from backend.schema.errors import input_field, to_user_errors
from backend.services.errors import DomainError, ErrorCode, ValidationErrors


def test_every_mutation_is_declared_with_the_mutation_helper() -> None:
    schema = build_schema(production=False)
    mutation = schema.schema_converter.type_map["Mutation"].definition
    assert isinstance(mutation, StrawberryObjectDefinition)
    names = []
    for field in mutation.fields:
        resolver = field.base_resolver
        assert resolver is not None, field.name
        assert getattr(resolver.wrapped_func, "errors_into_payload", False), field.name
        names.append(field.name)
    assert len(names) >= 15


def test_every_payload_can_carry_errors_alone() -> None:
    """The helper answers a failure with ``Payload(errors=[...])``: every other field of every
    payload it builds needs a default."""
    schema = build_schema(production=False)
    payloads = set()
    for root in ("Mutation", "Query"):
        definition = schema.schema_converter.type_map[root].definition
        assert isinstance(definition, StrawberryObjectDefinition)
        for field in definition.fields:
            resolver = field.base_resolver
            if resolver is not None and getattr(
                resolver.wrapped_func, "errors_into_payload", False
            ):
                payloads.add(typing.get_type_hints(resolver.wrapped_func)["return"])
    assert len(payloads) >= 16
    for payload in payloads:
        assert payload(errors=[]).errors == [], payload.__name__


def test_query_fields_answering_with_errors_use_the_same_helper() -> None:
    schema = build_schema(production=False)
    query = schema.schema_converter.type_map["Query"].definition
    assert isinstance(query, StrawberryObjectDefinition)
    graphql_query = schema._schema.query_type
    assert graphql_query is not None
    checked = []
    for field in query.fields:
        answer = get_named_type(
            graphql_query.fields[field.graphql_name or to_camel_case(field.name)].type
        )
        if isinstance(answer, GraphQLObjectType) and "errors" in answer.fields:
            assert field.base_resolver is not None, field.name
            assert getattr(field.base_resolver.wrapped_func, "errors_into_payload", False), (
                field.name
            )
            checked.append(field.name)
    assert checked == ["package_quote"]


@pytest.mark.parametrize(
    ("service_name", "graphql_name"),
    [
        ("service_id", "serviceId"),
        ("invoice_ids", "invoiceIds"),
        ("email", "email"),
        ("serviceId", "serviceId"),  # IDs decoded in the schema layer are named there already
        (None, None),
    ],
)
def test_service_parameter_names_become_input_names(
    service_name: str | None, graphql_name: str | None
) -> None:
    assert input_field(service_name) == graphql_name


def test_a_mapping_renames_where_the_names_differ() -> None:
    assert input_field("password", {"password": "newPassword"}) == "newPassword"
    errors = ValidationErrors(
        [DomainError(ErrorCode.REQUIRED, "postal_code"), DomainError(ErrorCode.INVALID)]
    )
    translated = to_user_errors(errors, Language.EN)
    assert [(e.field, e.code) for e in translated] == [
        ("postalCode", ErrorCode.REQUIRED),
        (None, ErrorCode.INVALID),
    ]
    assert translated[0].message == "This field is required."
