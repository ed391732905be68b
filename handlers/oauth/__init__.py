"""OAuth 2.0: client authentication, discovery, token and introspection requests, what a
refusal means, facts that contradict each other, and where a credential may be sent.

Nothing here decides a verdict; the commands in `handlers/commands/` do. These modules perform
one protocol step each and return plain data, so commands can combine them and tests target them.
"""
