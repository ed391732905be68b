"""OAuth 2.0 plumbing shared by the live checks: client authentication, discovery, token and
introspection requests, and parsing of what servers and gatekeepers answer.

Nothing here decides a verdict; the checks in `handlers/checks/` do. These modules only perform one
protocol step each and return plain data, so checks can combine them and tests can target them.
"""
