"""``python -m samleng.devstack.bench``: see ``samleng.devstack.bench``."""

import sys

from samleng.devstack.bench.cli import main

sys.exit(main())
