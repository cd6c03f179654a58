"""Words for what the development claim system records (DWP's pages, audit log): in English only."""

from __future__ import annotations

from config import words

STAFF_EVENTS = {
    "dev_claim.added": "Development claim added",
    "dev_claim.changed": "Development claim’s facts changed",
    "dev_claim.period_set": "Development claim’s facts for one period set",
    "dev_claim.child_added": "Child added to a development claim",
    "dev_claim.child_changed": "Childcare costs of a child on a development claim changed",
    "dev_claim.child_removed": "Child removed from a development claim",
}

words.register("event", STAFF_EVENTS)
