"""Directory: the searchable record of each child and who works with them, and the rules that withhold parts of it."""
