"""Ory Hydra and hydra-maester: the admin API (v1 and v2 paths), their pods and health, Hydra's
own log lines and hydra-maester's reconciliation logs."""
