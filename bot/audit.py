"""One structured JSON line per command, for whoever has to reconstruct an incident later.

Only fingerprints and the command name go in; the text a user typed may hold a token.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

audit_log = logging.getLogger("authcheck.audit")


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("authcheck")
    if not root.handlers:
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def audit(event: str, **fields: Any) -> None:
    record = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event}
    record.update({k: v for k, v in fields.items() if v is not None})
    audit_log.info(json.dumps(record, ensure_ascii=False, default=str))
