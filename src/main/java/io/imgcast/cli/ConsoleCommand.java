package io.imgcast.cli;

import io.imgcast.console.Console;
import io.imgcast.state.StateDb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "console",
        description = {"The admin console's password: 'imgcast console passwd' sets it (at least 8 characters), stored hashed"
                + " (PBKDF2-HMAC-SHA256) in the server's state; a running server takes it at the next login.",
                "The password is read from --password-file, else asked twice on the terminal, else read as one line of standard input."})
final class ConsoleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "passwd", description = "what to do: passwd") String action;
    @Option(names = "--password-file", paramLabel = "FILE", description = "read the password from the first line of FILE") Path passwordFile;
    @Mixin StateOption state;

    @Override
    public Integer call() throws Exception {
        if (!action.equals("passwd")) throw new CliException(ExitCode.USAGE, "unknown console action '" + action + "'; the one action is: passwd");
        char[] pw = read();
        try (StateDb db = StateDb.open(state.dir())) {
            Console.setPassword(db, pw);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        } finally {
            Arrays.fill(pw, '\0');
        }
        System.out.println("console password set in " + state.dir().resolve(StateDb.FILE));
        return 0;
    }

    private char[] read() throws IOException {
        if (passwordFile != null) return readFile(passwordFile);
        java.io.Console c = System.console();
        if (c != null && c.isTerminal()) {
            char[] a = c.readPassword("new console password: ");
            char[] b = c.readPassword("again: ");
            if (a == null || b == null || !Arrays.equals(a, b)) throw new CliException(ExitCode.USAGE, "the two passwords differ; nothing changed");
            return a;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null) throw new CliException(ExitCode.USAGE, "no password on standard input");
        return line.toCharArray();
    }

    /** The first line of {@code file}: the password (a trailing newline is not part of it). */
    static char[] readFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new CliException(ExitCode.USAGE, "no password file " + file);
        String s = Files.readString(file, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replace("\r", "").toCharArray();
    }
}
