"""Every rule id of rules.md that the engine enforces has a test for its accepted and
for its rejected side, named with the id (``test_R_IVAER_4_accepts_...``)."""

from __future__ import annotations

import re
from pathlib import Path

RULE_IDS = (
    [f"R-GEN-{n}" for n in range(1, 7)]
    + ["R-ANM-1", "R-ANM-2"]
    + [f"R-IVAER-{n}" for n in range(1, 21)]
    + [f"R-TILB-{n}" for n in range(1, 11)]
    + [f"R-AFSL-{n}" for n in range(1, 8)]
    + ["R-DEL-1"]
)


def test_every_rule_has_an_accepting_and_a_rejecting_test():
    names = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        names |= set(re.findall(r"^def (test_R_\w+)\(", path.read_text(), re.MULTILINE))
    missing = []
    for rule in RULE_IDS:
        prefix = "test_" + rule.replace("-", "_") + "_"
        mine = [n for n in names if n.startswith(prefix)]
        if not any(n[len(prefix) :].startswith("accepts") for n in mine):
            missing.append(f"{rule} accepts")
        if not any(n[len(prefix) :].startswith(("rejects", "refuses")) for n in mine):
            missing.append(f"{rule} rejects")
    assert not missing, missing
