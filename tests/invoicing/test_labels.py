"""Every invoice state and every event a nursery or parent may see has words for them."""

from __future__ import annotations

import pytest

from invoicing.labels import NURSERY_STATUS, NURSERY_TIMELINE, PARENT_STATUS, PARENT_TIMELINE
from invoicing.models import InvoiceStatus
from invoicing.queries.public import PUBLIC_DATA
from invoicing.service.transitions import INVOICE

# The parent is not shown the nursery's credit notes to DWP.
NOT_FOR_PARENTS = {"invoice.credit_note_issued", "invoice.credit_note_recovered"}


@pytest.mark.parametrize("status", list(InvoiceStatus))
def test_every_invoice_state_has_words_for_the_nursery_and_the_parent(status: InvoiceStatus) -> None:
    assert str(NURSERY_STATUS[status]) and str(PARENT_STATUS[status])


def test_every_state_change_event_leaves_dwp_with_words_for_both() -> None:
    moves = {INVOICE.action(status) for status in InvoiceStatus if status is not InvoiceStatus.SUBMITTED}
    assert moves <= set(PUBLIC_DATA), moves - set(PUBLIC_DATA)
    assert set(PUBLIC_DATA) <= set(NURSERY_TIMELINE), set(PUBLIC_DATA) - set(NURSERY_TIMELINE)
    assert set(PUBLIC_DATA) - NOT_FOR_PARENTS <= set(PARENT_TIMELINE)
