# Sourced: exports JAVA_HOME as a JDK >= 25 (same rule as the ./imgcast launcher).
for _c in "${IMGCAST_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
  [ -n "$_c" ] && [ -x "$_c/bin/javac" ] || continue
  _v="$("$_c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  if [ -n "$_v" ] && [ "$_v" -ge 25 ]; then export JAVA_HOME="$_c"; break; fi
done
unset _c _v
