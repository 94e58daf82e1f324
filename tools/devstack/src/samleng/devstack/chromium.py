"""Headless Chromium and Khmer fonts from Debian, for the dashboard's browser test.

    ensure_chromium()   # apt-get install chromium fonts-khmeros when /usr/bin/chromium is missing

The browser comes only from Debian's ``chromium`` package: nothing here (or in the tests)
downloads a browser build, so ``playwright install`` is never run. ``fonts-khmeros`` gives
Chromium fonts that shape Khmer script (coeng subscripts, vowel signs) correctly.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
KHMER_FONT = Path("/usr/share/fonts/truetype/khmeros/KhmerOS.ttf")
PACKAGES = ("chromium", "fonts-khmeros")

#: Flags for a quiet, offline headless browser in tests and CI.
HEADLESS_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class ChromiumError(RuntimeError):
    """Chromium could not be installed."""


def ensure_chromium() -> bool:
    """Install Debian's chromium and Khmer fonts if either is missing; True if it installed."""
    if CHROMIUM.exists() and KHMER_FONT.exists():
        return False
    if os.geteuid() != 0:
        raise ChromiumError(
            f"{CHROMIUM} or {KHMER_FONT} is missing and this is not root; run "
            f"`sudo apt-get update && sudo apt-get install -y {' '.join(PACKAGES)}`"
        )
    log.info("installing %s with apt-get", " ".join(PACKAGES))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES],
    ):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ChromiumError(f"{' '.join(command)} failed: {result.stderr.strip()[-2000:]}")
    return True
