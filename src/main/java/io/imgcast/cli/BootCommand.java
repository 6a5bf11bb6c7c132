package io.imgcast.cli;

import picocli.CommandLine.Command;

/** {@code imgcast boot}: network boot's commands (the client a booted machine runs). */
@Command(name = "boot", mixinStandardHelpOptions = true, description = "Network boot: the client a network-booted machine runs.",
        subcommands = {BootClientCommand.class})
final class BootCommand implements Runnable {
    @Override
    public void run() {
        throw new CliException(ExitCode.USAGE, "say what to do: imgcast boot client (see 'imgcast boot --help')");
    }
}
