"""samleng.devstack: local RabbitMQ, MongoDB and service processes for development and tests.

Never shipped. See docs/development.md for the commands (`make run`, `make up`, `make test`).
"""
