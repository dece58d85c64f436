"""What every ContactPoint service shares: settings, the message envelope, messaging plumbing and the contracts each publisher promises."""
