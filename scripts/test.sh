#!/usr/bin/env bash
# The test command (README): the whole test suite with the project's JDK.
# As root it first installs what the tests need (scripts/setup-system.sh: silent when all is
# there); without root, tests that need root or a missing tool are skipped and the run ends with
# a summary of the skips.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  bash scripts/setup-system.sh
elif ! bash scripts/setup-system.sh --check; then
  echo "test.sh: not root, so tests that need root or the missing packages will be skipped;" \
       "for the whole suite: sudo bash scripts/test.sh" >&2
fi
source scripts/jdk.sh
[ -n "${JAVA_HOME:-}" ] || { echo "test.sh: no JDK 25 or newer found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2; exit 3; }
command -v mvn >/dev/null || { echo "test.sh: Maven (mvn) is missing: sudo scripts/setup-system.sh --build" >&2; exit 3; }
mvn -B -Dstyle.color=never test "$@"
