"""Audit: every access to ContactPoint, stored once, in order, in a hash chain no one can quietly change."""

SERVICE = "audit"
