"""Ory Hydra and hydra-maester: the admin API (v1 and v2 paths), its health, Hydra's pods and own
log lines, hydra-maester's pods and reconciliation logs, and the OAuth2Client reader with the
judges of a client's resource, Secret, registration and proof."""
