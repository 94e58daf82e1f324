"""The officer side: inboxes, case files, office actions and the audit trail."""
