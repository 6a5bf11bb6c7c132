#!/usr/bin/env bash
# The test command (README): full test suite with the project's JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh
mvn -B -Dstyle.color=never test "$@"
