"""Notification's domain: notices, templates, deliveries, SMS sizes. Pure: no I/O."""
