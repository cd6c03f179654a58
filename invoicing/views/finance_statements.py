"""DWP staff's page of statements to the award calculation at /finance/statements: every
version, sent or not, the reconciliation's breaks and the award differences. A route of the
``invoicing_finance`` blueprint; it changes nothing."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from config.auth import StaffRole
from config.extensions import request_session
from invoicing.queries import statements as statement_queries
from invoicing.views.finance import invoicing_finance
from staff.views.session import staff_required


@invoicing_finance.get("/statements")
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def statements() -> ResponseReturnValue:
    db = request_session()
    return render_template(
        "invoicing/finance_statements.html",
        breaks=statement_queries.statement_breaks(db),
        break_kinds=statement_queries.BREAK_KINDS,
        grace_days=statement_queries.GRACE.days,
        statements=statement_queries.recent_statements(db),
        differences=statement_queries.award_differences(db),
    )
