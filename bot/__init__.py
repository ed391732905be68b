"""The chat side of authcheck: CLI, queue, worker, renderers and (later) the Slack app."""
