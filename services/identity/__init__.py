"""Identity: the vetted accounts of practitioners, administrators, auditors and approvers, and how they sign in."""

SERVICE = "identity"
