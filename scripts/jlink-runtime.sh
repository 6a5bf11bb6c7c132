#!/usr/bin/env bash
# Stages imgcast as the Debian package installs it, under ROOT: ROOT/usr/lib/imgcast/{lib,native,
# runtime,boot} and the launcher ROOT/usr/bin/imgcast. The jars of target/ (build first: mvn
# package), a Java runtime with only the JDK modules imgcast needs (jlink of the JDK 25 that
# scripts/jdk.sh finds), stripped; the network-boot environment's files of packaging/boot.
# Used by scripts/build-deb.sh (the package) and 'imgcast boot build' (the initramfs).
#
#   bash scripts/jlink-runtime.sh ROOT
set -euo pipefail
umask 022
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
die() { echo "jlink-runtime: $*" >&2; exit 1; }
[ $# -eq 1 ] && [ -n "$1" ] || die "usage: scripts/jlink-runtime.sh ROOT"
stage="$(mkdir -p "$1" && cd "$1" && pwd)"
source scripts/jdk.sh
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ] || die "no JDK 25 or newer with jlink found (set JAVA_HOME)"
props=target/maven-archiver/pom.properties
[ -f "$props" ] || die "no $props: build first (mvn package)"
mvn_version="$(sed -n 's/^version=//p' "$props")"
jar="target/imgcast-$mvn_version.jar"
[ -f "$jar" ] && [ -d target/lib ] && [ -d target/native ] || die "$jar, target/lib or target/native missing: build first"

home="$stage/usr/lib/imgcast"
rm -rf "$home" "$stage/usr/bin/imgcast"
mkdir -p "$home/lib" "$home/native" "$home/boot" "$stage/usr/bin"

# Jars: ours, then the dependencies in name order. cp -p keeps their times: the start-up cache
# records each jar's size and modification time, and dpkg restores the times it packed.
cp -p "$jar" "$home/lib/imgcast.jar"
deps=()
while IFS= read -r j; do deps+=("$j"); cp -p "target/lib/$j" "$home/lib/$j"; done < <(cd target/lib && ls -1 -- *.jar | LC_ALL=C sort)
classpath="$home/lib/imgcast.jar"
for j in "${deps[@]}"; do classpath+=":$home/lib/$j"; done

# sqlite-jdbc and zstd-jni carry their JNI library for every platform (20 MB); the package keeps
# Linux amd64's (the launcher loads it from native/, below; the jar's copy stays as a fallback).
if command -v zip >/dev/null && command -v unzip >/dev/null; then
  slim() { # JAR, pattern of native entries, pattern of the ones to keep
    local drop; drop="$(unzip -Z1 "$1" | grep -E "$2" | grep -Ev "$3" || true)"
    [ -z "$drop" ] || printf '%s\n' "$drop" | zip -q -d "$1" -@ || die "cannot slim $1"
  }
  slim "$home"/lib/sqlite-jdbc-*.jar '^org/sqlite/native/.' '^org/sqlite/native/Linux/(x86_64/.*)?$'
  slim "$home"/lib/zstd-jni-*.jar '^(aix|darwin|freebsd|linux|win)/.' '^linux/(amd64/.*)?$'
else
  echo "jlink-runtime: warning: no zip/unzip: the jars keep the JNI libraries of all platforms" >&2
fi

# JNI libraries of sqlite-jdbc and zstd-jni for this architecture (the launcher points the JVM at them)
cp -p target/native/org/sqlite/native/Linux/x86_64/libsqlitejdbc.so "$home/native/libsqlitejdbc.so"
zstd_so=(target/native/linux/amd64/libzstd-jni-*.so)
[ -f "${zstd_so[0]}" ] || die "no zstd-jni library for amd64 under target/native"
cp -p "${zstd_so[0]}" "$home/native/libzstd-jni.so"

# The Java runtime: only the modules jdeps finds in our jar and its dependencies. The modular
# dependency jars (progressbar, jline) need the module path to be resolved; we run everything on
# the class path.
modules="$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps \
  --module-path target/lib --class-path "$(IFS=:; echo "${deps[*]/#/target/lib/}")" \
  "$jar" "${deps[@]/#/target/lib/}" 2>/dev/null | tail -n 1)"
[[ "$modules" =~ ^java\.base(,[a-z.]+)*$ ]] || die "jdeps gave no module list ('$modules')"
echo "jlink-runtime: jlink $modules" >&2
# Temurin 25 ships no jmods: jlink links from the running JDK's own image (JDK 24+, JEP 493).
# --strip-debug drops Java debug attributes (native files: below); zip-6 halves lib/modules
# (start-up reads classes from the start-up cache, not from it). No CDS archive: the start-up
# cache holds those classes.
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress zip-6 --output "$home/runtime" >/dev/null
rm -f "$home/runtime/bin/jwebserver" "$home/runtime/bin/keytool"
# The JDK's native programs and libraries, and zstd-jni's, carry symbol tables (no debug
# sections): strip them as dh_strip would (libjvm.so 29 -> 24 MB; crash reports then name fewer
# native frames). Left as lintian finds it: the runtime's own copy of zlib (Temurin's build).
if command -v strip >/dev/null; then
  while IFS= read -r -d '' f; do
    if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then
      case "$f" in
        *.so) strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f" ;;
        *) strip --remove-section=.comment --remove-section=.note "$f" ;;
      esac
    fi
  done < <(find "$home/runtime" "$home/native" -type f -print0)
else
  echo "jlink-runtime: warning: no strip (binutils): the runtime's native files keep their symbol tables" >&2
fi

# The launcher, its class path written out with the installed paths.
installed_cp="${classpath//"$home"//usr/lib/imgcast}"
sed "s|@CLASSPATH@|$installed_cp|" packaging/imgcast.in >"$stage/usr/bin/imgcast"
chmod 0755 "$stage/usr/bin/imgcast"

# The network-boot environment's /init and its helpers ('imgcast boot build' reads them here).
cp -p packaging/boot/* "$home/boot/"
