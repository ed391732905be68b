"""The chat side of authcheck: `slack/` (listeners, intake, views, the sink), `jobs/` (the
queue and the worker) and `cli/`; at the top, the process itself: wiring (`service`), settings,
start-up checks, health endpoints, metrics and the audit log."""
