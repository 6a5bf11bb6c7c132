/**
 * The server's own state, apart from the store: {@code state.db} under the state directory.
 *
 * <p>Vocabulary: a <b>host</b> is a machine the server knows by its MAC ({@link io.imgcast.state.Mac}),
 * with a name, an image, a <b>group</b>, a <b>disk rule</b> ({@link io.imgcast.state.DiskRule}:
 * which of its disks gets the image), a <b>then</b> action (reboot, poweroff, shell), and for
 * network boot a <b>task</b> (deploy, or capture NAME) and a <b>fresh</b> flag; the
 * <b>unknown default</b> says what a machine the server does not know gets (ignore, local-disk,
 * register, menu, or an image); a <b>session</b> is the set of machines one scheduler serves, admitted
 * from the groups started together, with each machine's result. {@link io.imgcast.state.StateDb}
 * keeps them in SQLite, its schema brought up to date by numbered {@code Migrations}. Nothing
 * here goes into export files.
 */
package io.imgcast.state;
