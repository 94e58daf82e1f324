"""Reference data shipped with routing: the pilot jurisdiction directory (directory.json)."""
