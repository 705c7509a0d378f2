"""ICOK: the customer self-service portal of a pay-TV and telecom operator."""

__version__ = "0.1.0"
