"""The citizen API (HTTP)."""
