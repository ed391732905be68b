"""The engine every command runs on, and nothing about 401s: the report model, the check
protocol and context, parameters, the grammar and help derived from them, the registry, the
runner, observations (seen or unknown), finding building, redaction, settings and time."""
