"""The Open311 API (HTTP)."""
