"""Invoices, the UC entitlement rules, review, payment batches, payment rails and reconciliation."""
