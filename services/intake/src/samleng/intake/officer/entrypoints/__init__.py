"""The officer API (HTTP, bearer tokens)."""
