/** The command line: one thin picocli command per verb; exit 0 on success, 1 on failure or damage, 2 on usage errors. */
package io.imgcast.cli;
