"""The ContactPoint services; each owns its data and talks to the others only through the broker."""
