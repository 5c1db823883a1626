"""Request and response bodies of the public API, one module per entity."""
