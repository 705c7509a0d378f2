"""Documents rendered for the customer (the invoice PDF), kept apart from the business rules."""
