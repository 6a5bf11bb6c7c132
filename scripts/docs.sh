#!/usr/bin/env bash
# Generates the man pages and the bash completion script from the CLI's picocli model:
#   target/docs/man/man1/imgcast.1, imgcast-COMMAND.1 and target/docs/bash-completion/imgcast
# Builds imgcast first if needed (via ./imgcast, offline once Maven has its plugins); needs no
# extra Maven plugin, so it works offline and does not slow the launcher's rebuild.
# Install (as root):  scripts/docs.sh --install [PREFIX]   (default PREFIX /usr/local)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/jdk.sh"
IMGCAST_AOT=0 "$here/imgcast" --version >/dev/null    # builds the jar when sources changed
out="$here/target/docs"
rm -rf "$out"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$here/target/imgcast-0.1.0-SNAPSHOT.jar:$here/target/lib/*" io.imgcast.cli.Docs "$out"
if [ "${1:-}" = "--install" ]; then
  prefix="${2:-/usr/local}"
  install -d "$prefix/share/man/man1" "$prefix/share/bash-completion/completions"
  install -m 644 "$out"/man/man1/*.1 "$prefix/share/man/man1/"
  install -m 644 "$out/bash-completion/imgcast" "$prefix/share/bash-completion/completions/imgcast"
  echo "installed man pages under $prefix/share/man/man1 and completion under $prefix/share/bash-completion/completions"
fi
