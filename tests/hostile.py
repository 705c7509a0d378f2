"""The hostile GraphQL documents of issue 15, for tests (``tests/api/test_document_limits``) and
for ``bench/hostile_documents.py``."""

from __future__ import annotations


def fragment_bomb(letter: str = "F", levels: int = 20) -> str:
    """``query { ...F20 } fragment F0 on Query { apiVersion } fragment F1 on Query { ...F0
    ...F0 } ...`` (823 bytes for ``F`` and 20 levels; the issue's copy, spaced
    otherwise, 836)."""
    parts = [f"query {{ ...{letter}{levels} }}", f"fragment {letter}0 on Query {{ apiVersion }}"]
    for level in range(1, levels + 1):
        below = f"...{letter}{level - 1}"
        parts.append(f"fragment {letter}{level} on Query {{ {below} {below} }}")
    return " ".join(parts)


NODES_BOMB = (
    "query($ids: [ID!]!) {"
    + " ".join(
        f"n{i}: nodes(ids: $ids) {{ id ... on Package {{ code name channels {{ name category hd }}"
        " } }"
        for i in range(30)
    )
    + " }"
)
DIRECTIVES_10 = "query { __typename" + "@aa" * 10 + " }"
DIRECTIVES_1000 = "query { __typename" + "@aa" * 1000 + " }"
SAME_FIELD = "{ " + "apiVersion " * 1000 + "}"
