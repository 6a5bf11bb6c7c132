#!/usr/bin/env bash
# Fuzzes every Jazzer target for real, each in its own JVM (Jazzer fuzzes one target per JVM),
# for at most SECONDS each (default 60; a target's own maxDuration may end it sooner).
# Findings land in src/test/resources/<package>/<Class>Inputs/<method>/ as crash-* files; the
# suite then replays them with the seeds. Usable by hand; the test suite does not run it.
#
#   scripts/fuzz.sh [SECONDS] [Class#method ...]
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(
    WireFuzzTest#datagramsNeverCrashTheReceiver
    WireFuzzTest#sealedThenMutatedDatagramsAreRejectedOrConsistent
    WireFuzzTest#feedbackDecoderRejectsGarbageCleanly
    AnnounceTest#arbitraryDatagramsAreRejectedCleanlyOrDecodeConsistently
    AnnounceTest#mutatedAnnouncementsAreRejected
    ParserFuzzTest#liveTableSlicesDecodeOrAreRefused
    ParserFuzzTest#unsignedTableSlicesAreRefused
    ParserFuzzTest#signedManifestsDecodeOrAreRefused
    ManifestFuzzTest#manifestsDecodeOrAreRefused
    TransferFuzzTest#exportFilesImportOrAreRefused
    ControlJsonFuzzTest#joinRequests
    ControlJsonFuzzTest#refuseRequests
    ControlJsonFuzzTest#doneRequests
    ControlJsonFuzzTest#joinReplies
    ControlJsonFuzzTest#needsReplies
    ControlJsonFuzzTest#feedbackReplies
    ControlJsonFuzzTest#statusReplies
    ControlJsonFuzzTest#errorReplies
  )
fi
mvn -o -B -q test-compile || exit 1
failed=()
for t in "${targets[@]}"; do
  echo "== fuzzing $t for at most ${seconds}s"
  # one target per JVM; the timeout bounds a target whose own maxDuration is longer (10 s to start the JVM)
  if ! JAZZER_FUZZ=1 timeout --kill-after=10 $((seconds + 30)) \
      mvn -o -B -q surefire:test -Dtest="$t" -Djazzer.max_duration="${seconds}s" -DfailIfNoTests=false; then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "findings or errors in: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#targets[@]} targets ran without a finding"
