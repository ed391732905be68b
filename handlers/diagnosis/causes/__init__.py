"""The candidate causes of a 401/403, as data: an id, plain words, a remedy, and a predicate.

Each predicate reads only `Facts` (never the network) and returns a `Hit` with a score in 0..1
and the evidence sentences behind it, or None when the facts do not point at this cause. Scores
are deliberately coarse: ~0.9 when two independent signals agree (the gateway's own words and our
evaluation of the rule), ~0.8 for one strong signal, ~0.5 for a weak one. `explains` names the
causes this one is the root of (hydra-maester calling v1 paths explains an unregistered client),
so ranking can put the root first. Facts from steps that did not run are absent, so they can
never count as evidence here.

One module per subject (`token`, `rule`, `gateway`, `hydra`), the shared readers over the facts
in `readers`, and the CAUSES tuple assembled in `catalog`.
"""

from __future__ import annotations

from handlers.diagnosis.causes.base import Cause, Hit
from handlers.diagnosis.causes.catalog import CAUSES

__all__ = ["CAUSES", "Cause", "Hit"]
