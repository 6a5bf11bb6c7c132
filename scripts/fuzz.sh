#!/usr/bin/env bash
# Fuzzes every Jazzer target with coverage guidance, each in its own JVM (Jazzer fuzzes one
# target per JVM, JAZZER_FUZZ=1): each runs for SECONDS (default 60; JAZZER_MAX_DURATION
# overrides the @FuzzTest maxDuration) and is killed after SECONDS + 60 at most.
# Findings land in src/test/resources/<package>/<Class>Inputs/<method>/ as crash-* files; the
# suite then replays them with the seeds (keep them: they are the regression seeds), and the
# corpus a run grows stays in .cifuzz-corpus/ (not kept). Usable by hand; the test suite does
# not run it.
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
logs=target/fuzz-logs
mkdir -p "$logs"
failed=()
for t in "${targets[@]}"; do
  echo "== fuzzing $t for at most ${seconds}s"
  # one target per JVM; the timeout bounds a JVM that does not stop by itself (plus its start).
  # Coverage of the project's classes and the JSON library: Jazzer instruments the classes of the
  # class path's directories by default, the library by name (0.24 could not instrument class
  # files of Java 25 at all, and fuzzed blind: keep Jazzer current with the compiler's release).
  # A heap well below libFuzzer's 2 GB RSS limit, so that the JVM's own growth is not reported as
  # a finding.
  if ! JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" JAZZER_INSTRUMENT='io.imgcast.**,com.fasterxml.**' \
      timeout --kill-after=10 $((seconds + 60)) \
      mvn -o -B -q surefire:test -Dtest="$t" -DfailIfNoTests=false \
      -DargLine.common="--enable-native-access=ALL-UNNAMED -XX:+EnableDynamicAgentLoading -Xmx768m" \
      >"$logs/${t/\#/.}.log" 2>&1; then
    failed+=("$t")
  fi
  # libFuzzer's last status line: edges covered (cov), corpus size, executions per second
  grep -aE '^#[0-9]+' "$logs/${t/\#/.}.log" | grep -a 'cov:' | tail -1 | sed 's/^/   /'
  grep -aE 'FuzzTestFinding|Caused by' "$logs/${t/\#/.}.log" | head -3 | sed 's/^/   /'
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "findings or errors in: ${failed[*]} (logs in $logs)" >&2
  exit 1
fi
echo "all ${#targets[@]} targets ran without a finding"
