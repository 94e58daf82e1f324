"""The ``samleng`` command: one entry point for every service's command line.

    samleng audit verify              # = python -m samleng.intake audit verify
    samleng reporting rebuild         # = python -m samleng.reporting rebuild
    samleng routing directory list    # = python -m samleng.routing directory list
    samleng intake serve | migrate
    samleng dlq list | replay ...     # dead letters: see samleng.common.dead_letters

Each service's image installs only its own package, so a command runs where its service
is installed; the service is looked up by name at run time, never imported here.
"""

from __future__ import annotations

import importlib.util
import runpy
import sys

SERVICES = ("intake", "routing", "notification", "reporting")
#: Shortcuts for commands that belong to one service.
SHORTCUTS = {"audit": "intake"}


def main(argv: list[str] | None = None) -> int:
    """Run ``samleng <service|shortcut> ...`` as ``python -m samleng.<service> ...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    first = args[0]
    if first == "dlq":
        from samleng.common import dead_letters  # needs only the broker and MongoDB

        return dead_letters.main(args[1:])
    if first in SHORTCUTS:
        service, rest = SHORTCUTS[first], args
    elif first in SERVICES:
        service, rest = first, args[1:]
    else:
        print(f"samleng: unknown command {first!r}; use one of {', '.join(SERVICES)}, audit, dlq")
        return 2
    module = f"samleng.{service}"
    if importlib.util.find_spec(module) is None:
        print(f"samleng: {module} is not installed here (run it in the {service} image)")
        return 2
    sys.argv = [f"samleng {service}", *rest]
    try:
        runpy.run_module(f"{module}.__main__", run_name="__main__", alter_sys=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
