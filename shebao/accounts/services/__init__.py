"""Writes of the pension accounts, one module per concern."""
