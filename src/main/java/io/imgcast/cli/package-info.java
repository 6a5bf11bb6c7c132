/**
 * The command line: one thin picocli command per verb.
 *
 * <p>Vocabulary: the <b>exit table</b> ({@link io.imgcast.cli.ExitCode}) is the one list of exit
 * statuses every command uses; an <b>expected failure</b> ({@link io.imgcast.cli.CliException}, or
 * the project's own exceptions) is reported in one line, an <b>internal error</b> is any other
 * exception; <b>units</b> are explicit suffixes converted while parsing
 * ({@link io.imgcast.cli.UnitConverters}): network rates in bits, sizes in bytes. The man pages and
 * bash completion ({@link io.imgcast.cli.Docs}) come from the same picocli model.
 */
package io.imgcast.cli;
