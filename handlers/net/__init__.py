"""Talking HTTP safely: the SSRF guard for every URL from chat or the cluster, the guarded
client with its size, time and decompression limits, one request as an observation, and reading
what servers answer (JSON bodies, OAuth errors, `WWW-Authenticate`)."""
