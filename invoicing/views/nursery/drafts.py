"""The nursery's drafts: the list, "copy last month's invoices", deleting one; and from a disputed
invoice, "cancel it and send a corrected invoice" (the form itself is ``invoice_form``)."""

from __future__ import annotations

import uuid

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from claimants import repository as claimants_repository
from config.database import utcnow
from config.errors import DomainError
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from invoicing import queries, service
from invoicing.forms import CancelForm
from invoicing.models import InvoiceStatus
from invoicing.repository import drafts as drafts_repository
from invoicing.service import drafts as draft_service
from invoicing.views.nursery import invoicing_nursery
from providers import repository as providers_repository
from providers.models import ProviderStatus
from providers.views.session import provider_required


@invoicing_nursery.get("/invoices/drafts")
@provider_required()
def drafts() -> ResponseReturnValue:
    db = request_session()
    saved = drafts_repository.list_drafts(db, g.actor.provider_id)
    live = {
        consent.id: f"{child.first_name} {child.last_name}"
        for consent, child in claimants_repository.live_consents_of_provider(
            db, g.actor.provider_id, utcnow()
        )
    }
    provider = providers_repository.get_provider(db, g.actor.provider_id)
    return render_template(
        "invoicing/nursery_drafts.html",
        drafts=saved,
        children=live,
        verified=provider.status is ProviderStatus.ACTIVE,
        form=ConfirmForm(),
    )


@invoicing_nursery.post("/invoices/drafts/copy-last-month")
@provider_required()
def copy_last_month() -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        made = draft_service.copy_last_month(request_session(), g.actor)
        if made:
            flash(
                ngettext(
                    "We made %(num)d draft from last month’s invoices. "
                    "Check it, give it an invoice number and send it.",
                    "We made %(num)d drafts from last month’s invoices. "
                    "Check each one, give it an invoice number and send it.",
                    len(made),
                )
            )
        else:
            flash(
                _(
                    "There was nothing to copy: every invoice for care last month is copied "
                    "or invoiced for this month already."
                )
            )
    return redirect(url_for(".drafts"))


@invoicing_nursery.route("/invoices/drafts/<uuid:draft_id>/delete", methods=["GET", "POST"])
@provider_required()
def delete_draft(draft_id: uuid.UUID) -> ResponseReturnValue:
    draft = drafts_repository.get_draft(request_session(), g.actor.provider_id, draft_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        draft_service.delete_draft(request_session(), g.actor, draft.id)
        flash(_("The draft is deleted"))
        return redirect(url_for(".drafts"))
    return render_template(
        "question.html",
        form=form,
        heading=_("Are you sure you want to delete this draft?"),
        caption=draft.invoice_number or _("Draft with no invoice number yet"),
        intro=[_("You cannot get a deleted draft back.")],
        button=_("Delete draft"),
        back_url=url_for(".drafts"),
    )


@invoicing_nursery.route("/invoices/<uuid:invoice_id>/correct", methods=["GET", "POST"])
@provider_required()
def correct(invoice_id: uuid.UUID) -> ResponseReturnValue:
    """A disputed invoice is cancelled (with the reason) and the invoice form opens filled in with
    its child, dates and lines, for the corrected invoice."""
    item = queries.invoice_of_provider(request_session(), g.actor.provider_id, invoice_id)
    if item.status is not InvoiceStatus.DISPUTED:
        return redirect(url_for(".invoice", invoice_id=invoice_id))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel_invoice(request_session(), g.actor, invoice_id, form.reason.data or "")
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(
                _(
                    "Invoice %(number)s is cancelled. Correct the details below and send the new invoice.",
                    number=item.invoice_number,
                )
            )
            return redirect(url_for(".new_invoice", correcting=invoice_id))
    return render_template(
        "question.html",
        form=form,
        title=_("Cancel invoice %(number)s and send a corrected invoice", number=item.invoice_number),
        caption=_("Cancel invoice %(number)s and send a corrected invoice", number=item.invoice_number),
        intro=[
            _("The parent disputed this invoice: “%(reason)s”", reason=item.dispute_reason)
            if item.dispute_reason
            else _("The parent disputed this invoice."),
            _(
                "We cancel it, then open a new invoice filled in with its details for "
                "you to correct. The new invoice needs a number of its own."
            ),
        ],
        button=_("Cancel it and correct it"),
        back_url=url_for(".invoice", invoice_id=invoice_id),
    ), 400 if form.errors or form.form_errors else 200
