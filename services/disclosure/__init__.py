"""Disclosure: bulk disclosure only pseudonymised or anonymised, and one child's record only on a second person's approval."""
