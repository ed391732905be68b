"""Everything authcheck knows about 401s and 403s, with no Slack in it.

`bot/` turns chat into calls of this package and its reports back into chat; this package must
never import Slack so that the same checks serve the CLI, the worker and the tests.
"""
