"""The customer-service console (``/console/``): its GraphQL schema at ``/console/graphql``,
authenticated by a staff session (password + TOTP), over the same services as the customer and
operator APIs."""
