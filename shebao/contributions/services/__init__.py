"""Writes of the collection app, one module per concern."""
