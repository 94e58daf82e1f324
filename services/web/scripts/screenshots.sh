#!/bin/sh
# Write the screenshots of docs/web.md (docs/images/web/*.png): the browser tests run the
# real services and Debian's Chromium, and keep what they saw. Run from the repository root.
set -eu
SAMLENG_WEB_SCREENSHOTS=1 uv run --locked pytest services/web/tests/integration/test_browser.py -q
