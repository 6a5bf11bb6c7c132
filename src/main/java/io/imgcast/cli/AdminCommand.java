package io.imgcast.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.concurrent.Callable;

/**
 * The options of the inventory and session commands ({@code hosts}, {@code groups},
 * {@code sessions}): the state directory, or a server's URL; see {@link Admin} for how a running
 * server is found. Bad input (a malformed MAC, an unknown rule) is a usage error (exit 2).
 */
abstract class AdminCommand implements Callable<Integer> {
    @Mixin StateOption state;
    @Option(names = "--server", paramLabel = "URL", description = "a running server's control API (default: the one that runs for --state, if any)") URI server;

    @Override
    public final Integer call() throws Exception {
        try (Admin admin = Admin.open(state, server)) {
            return run(admin);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }

    abstract int run(Admin admin) throws Exception;
}
