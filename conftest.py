"""Shared pytest setup: the real-infrastructure fixtures (``stack``) of samleng.devstack."""

pytest_plugins = ["samleng.devstack.pytest_plugin"]
