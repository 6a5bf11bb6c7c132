#!/usr/bin/env bash
# Builds the Debian package target/imgcast_<version>_amd64.deb: the imgcast command with its own
# Java runtime (jlink of the JDK 25 found like ./imgcast does), the imgcast-server systemd unit and
# its /etc/imgcast/server.conf. Layout and reasons: ARCHITECTURE.md, "Packaging".
#
#   bash scripts/build-deb.sh              # mvn package (offline when it can), then the package
#   bash scripts/build-deb.sh --no-build   # package what target/ already holds
#
# Needs a JDK >= 25 with jlink and jdeps, and dpkg-deb. Runs as any user: files in the package are
# owned by root (dpkg-deb --root-owner-group).
set -euo pipefail
umask 022
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

build=1
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb: unknown argument '$a' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "build-deb: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (Debian package dpkg)"
source scripts/jdk.sh
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ] || die "no JDK 25 or newer with jlink found (set JAVA_HOME)"
[ "$(dpkg --print-architecture)" = amd64 ] || die "builds amd64 packages only (this is $(dpkg --print-architecture))"

if [ "$build" = 1 ]; then
  echo "build-deb: mvn package" >&2
  log="$repo/target/build-deb.mvn.log"
  mkdir -p target
  mvn -q -B -o package -DskipTests >"$log" 2>&1 || mvn -q -B package -DskipTests >>"$log" 2>&1 \
    || die "mvn package failed, see $log"
  rm -f "$log"
fi
props=target/maven-archiver/pom.properties
[ -f "$props" ] || die "no $props: build first (mvn package), or drop --no-build"
mvn_version="$(sed -n 's/^version=//p' "$props")"
jar="target/imgcast-$mvn_version.jar"
[ -f "$jar" ] && [ -d target/lib ] && [ -d target/native ] || die "$jar, target/lib or target/native missing: build first"

# Debian version: '-' would start a Debian revision (0.1.0-SNAPSHOT: 0.1.0, revision SNAPSHOT,
# sorting after 0.1.0); '~' sorts before anything, so 0.1.0~SNAPSHOT < 0.1.0.
version="${mvn_version//-/\~}"
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "project version '$mvn_version' does not make a Debian version"
deb="target/imgcast_${version}_amd64.deb"

stage="$repo/target/deb/imgcast_${version}_amd64"
rm -rf "$stage"
home="$stage/usr/lib/imgcast"
mkdir -p "$home/lib" "$home/native" "$stage/usr/bin" "$stage/etc/imgcast" "$stage/usr/lib/systemd/system" \
  "$stage/usr/lib/tmpfiles.d" "$stage/usr/share/doc/imgcast" "$stage/DEBIAN"

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
  echo "build-deb: warning: no zip/unzip: the jars keep the JNI libraries of all platforms" >&2
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
echo "build-deb: jlink $modules" >&2
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
  echo "build-deb: warning: no strip (binutils): the runtime's native files keep their symbol tables" >&2
fi

# The launcher, its class path written out with the installed paths.
installed_cp="${classpath//"$home"//usr/lib/imgcast}"
sed "s|@CLASSPATH@|$installed_cp|" packaging/imgcast.in >"$stage/usr/bin/imgcast"
chmod 0755 "$stage/usr/bin/imgcast"

# Start-up cache (JDK 25 AOT cache), made by the training run with the staged runtime and class
# path; the JVM maps it at the installed path (it matches the class path by what follows the
# longest common prefix). Optional: it halves start-up (measured in the installed root here:
# list 0.3 s against 0.5-0.7 s, capture of a small tree 0.3 s against 0.5-0.7 s).
echo "build-deb: start-up cache (training run)" >&2
if "$home/runtime/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -XX:TieredStopAtLevel=1 \
     -XX:-UsePerfData -XX:CompileThresholdScaling=3 -XX:AOTCacheOutput="$home/imgcast.aot" \
     -Dorg.sqlite.lib.path="$home/native" -Dorg.sqlite.lib.name=libsqlitejdbc.so \
     -DZstdNativePath="$home/native/libzstd-jni.so" -cp "$classpath" io.imgcast.cli.AotTraining "$repo/src/main" \
     >target/deb/aot.log 2>&1 && [ -f "$home/imgcast.aot" ]; then
  rm -f target/deb/aot.log
else
  rm -f "$home/imgcast.aot" "$home/imgcast.aot.config"
  echo "build-deb: warning: start-up cache not made (see target/deb/aot.log); the package works without it" >&2
fi

install -m 0644 packaging/server.conf "$stage/etc/imgcast/server.conf"
install -m 0644 packaging/imgcast-server.service "$stage/usr/lib/systemd/system/imgcast-server.service"
install -m 0644 packaging/tmpfiles.conf "$stage/usr/lib/tmpfiles.d/imgcast.conf"
install -m 0644 packaging/copyright "$stage/usr/share/doc/imgcast/copyright"
install -m 0644 README.md "$stage/usr/share/doc/imgcast/README.md"
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
{
  echo "imgcast ($version) unstable; urgency=medium"
  echo
  echo "  * Built from the imgcast repository, commit $commit."
  echo
  echo " -- imgcast maintainers <maintainers@imgcast.invalid>  $(LC_ALL=C date -R)"
} | gzip -9n >"$stage/usr/share/doc/imgcast/changelog.gz" # native version: changelog.gz

for s in postinst prerm postrm; do install -m 0755 "packaging/$s" "$stage/DEBIAN/$s"; done
echo /etc/imgcast/server.conf >"$stage/DEBIAN/conffiles"
size_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s|@VERSION@|$version|" -e "s|@SIZE@|$size_kb|" packaging/control.in >"$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  >"$stage/DEBIAN/md5sums"
chmod -R u+rwX,go+rX,go-w "$stage"

rm -f "$deb"
# gzip: measured here 19 s for a 58 MB package; xz 123 s for 53 MB.
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >/dev/null
rm -rf target/deb
echo "build-deb: $deb ($(du -h "$deb" | cut -f1), $((size_kb / 1024)) MiB installed)" >&2
echo "$deb"
