"""The provisioner: the broker users of partner systems and security teams, made and removed for feeds and audit."""
