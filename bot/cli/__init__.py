"""The `authcheck` command line: `run` (the same path as Slack, rendered for a terminal), `serve`
and `worker`, with Slack prefixes and shell quoting handled, and `paste`."""
