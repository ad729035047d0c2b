"""Writes that enforce a rule: keyword-only, transactional, side effects after commit."""
