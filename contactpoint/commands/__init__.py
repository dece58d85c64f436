"""The command groups of ``contactpoint``, one module a group."""
