"""Case handlers of the collection items (registered on import)."""
