"""The operator API (``POST /operator/graphql``): its own GraphQL schema, through which the
operator's billing/CRM system (BSS) feeds the portal, authenticated by an operator API key
(:mod:`backend.services.operator_keys`), never by a customer's session."""
