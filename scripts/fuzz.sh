#!/usr/bin/env bash
# Fuzzes every Jazzer target for real, each in its own JVM (Jazzer fuzzes one target per JVM):
# each runs for its @FuzzTest maxDuration (20-30 s), and is killed after SECONDS + 30 at most
# (default SECONDS: 60).
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
  # coverage of the project's classes and the JSON library (by default Jazzer instruments too
  # little to guide it; the JSON targets then gain about 1,400 edges in 20 s, but the binary
  # parsers still report no coverage — their classes seem to load before Jazzer's agent — so
  # those run as blind random fuzzing for now); a heap well below libFuzzer's 2 GB RSS limit, so that the JVM's own
  # growth is not reported as a finding
  if ! JAZZER_FUZZ=1 JAZZER_INSTRUMENTATION_INCLUDES='io.imgcast.**:com.fasterxml.**' \
      timeout --kill-after=10 $((seconds + 30)) \
      mvn -o -B -q surefire:test -Dtest="$t" -DfailIfNoTests=false \
      -DargLine.common="--enable-native-access=ALL-UNNAMED -XX:+EnableDynamicAgentLoading -Xmx768m"; then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "findings or errors in: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#targets[@]} targets ran without a finding"
