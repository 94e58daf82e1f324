"""Desks: staff filing for citizens at a counter, on a hotline or from the social-media queue."""
