"""Entry point: ``python -m samleng.devstack``."""

import sys

from samleng.devstack.cli import main

sys.exit(main())
