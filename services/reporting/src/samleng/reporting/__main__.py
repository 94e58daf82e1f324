"""``python -m samleng.reporting [serve|migrate|rebuild]``."""

from samleng.reporting.cli import main

if __name__ == "__main__":
    main()
