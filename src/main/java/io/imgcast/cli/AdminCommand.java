package io.imgcast.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The options of the inventory and session commands ({@code hosts}, {@code groups},
 * {@code sessions}): the state directory, or a server's URL; see {@link Admin} for how a running
 * server is found and trusted. Bad input (a malformed MAC, an unknown rule) is a usage error (exit 2).
 */
abstract class AdminCommand implements Callable<Integer> {
    @Mixin StateOption state;
    @Option(names = "--server", paramLabel = "URL", description = "a running server's control API (default: the one that runs for --state, if any)") URI server;
    @Option(names = "--server-key", paramLabel = "HEX", description = "with --server: pin the server's key (at least 16 hex digits of its"
            + " fingerprint; default: the key the server for --state named, else trust on first use)") String serverKey;
    @Option(names = "--insecure-http", description = "with --server: allow plain HTTP to the server (a lab only)") boolean insecureHttp;
    @Option(names = "--admin-token", paramLabel = "FILE", description = "the admin token file (default: the one the server for --state named)") Path adminToken;

    @Override
    public final Integer call() throws Exception {
        try (Admin admin = Admin.open(state, server, new Admin.Access(serverKey, insecureHttp, adminToken))) {
            return run(admin);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }

    abstract int run(Admin admin) throws Exception;
}
