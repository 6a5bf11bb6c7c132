/**
 * Tests of the Debian package (scripts/build-deb.sh, packaging/). Vocabulary: the <em>package</em>
 * is the .deb; the <em>throwaway root</em> ({@code InstalledRoot}) is a directory holding the
 * package's files and only the host libraries its programs link against, where commands run by
 * chroot in fresh namespaces; the <em>unit</em> is imgcast-server.service, whose command line
 * {@code Unit} expands as systemd does.
 */
package io.imgcast.packaging;
