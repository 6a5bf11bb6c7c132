package io.imgcast.cli;

/** An expected failure a command reports in one line, with the exit status it maps to. */
final class CliException extends RuntimeException {
    final ExitCode exit;

    CliException(ExitCode exit, String message) {
        super(message);
        this.exit = exit;
    }

    CliException(ExitCode exit, String message, Throwable cause) {
        super(message, cause);
        this.exit = exit;
    }
}
