"""What a status, an OAuth error code or a gatekeeper's wording means, and the usual causes:
the knowledge `explain` answers from, one table per subject, joined in `catalog`."""
