"""One module per command; each exposes `COMMAND` (or a builder) for the registry."""
