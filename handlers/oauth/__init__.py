"""OAuth 2.0: client authentication, discovery, token and introspection requests, what a
refusal means, facts that contradict each other, and where a credential may be sent.

Gatherers perform one protocol step each and return plain data (`token_request`,
`introspection`, `token_experiments`, `token_endpoint`, `introspection_target`); judges are pure
functions from that data to findings (`token_verdicts`, `client_auth_verdicts`,
`introspection_verdicts`, `activity_verdicts`); `token_diagnosis` chains the two where what to
try next depends on the last answer. Commands declare, gather through these, and judge.
"""
