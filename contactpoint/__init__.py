"""The ``contactpoint`` command: runs the services, administers accounts and sources, and the embedded demo."""
