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
mkdir -p "$stage/etc/imgcast" "$stage/usr/lib/systemd/system" \
  "$stage/usr/lib/tmpfiles.d" "$stage/usr/share/doc/imgcast" "$stage/DEBIAN"

# Jars, JNI libraries, the jlink runtime, the launcher and the boot environment's files: shared
# with 'imgcast boot build', which puts the same layout into the network-boot initramfs.
bash scripts/jlink-runtime.sh "$stage" || die "scripts/jlink-runtime.sh failed"
classpath="$(sed -n 's|^cp=||p' "$stage/usr/bin/imgcast")"
classpath="${classpath//\/usr\/lib\/imgcast/$home}"

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
