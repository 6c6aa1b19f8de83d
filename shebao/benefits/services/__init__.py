"""Benefit services: every write of the benefits app, one transaction each, audited."""
