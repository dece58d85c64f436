"""Feeds: the registered data sources, every record they sent, and how those records are matched into children."""

SERVICE = "feeds"
