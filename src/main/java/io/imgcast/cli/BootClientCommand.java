package io.imgcast.cli;

import io.imgcast.api.Assignment;
import io.imgcast.boot.BootClient;
import io.imgcast.boot.BootCmdline;
import io.imgcast.boot.ClientMenu;
import io.imgcast.receiver.AutoAssignment;
import io.imgcast.trust.ClientTrust;
import io.imgcast.util.Json;
import io.imgcast.util.Progress;
import io.imgcast.util.Units;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code imgcast boot client}: what a network-booted machine runs. Reads the kernel line, asks the
 * server by MAC, and receives (the {@code receive --auto} path, {@link ReceiveCommand} itself),
 * captures its disk into the server's store, or shows the menu of an unknown machine. A failure is
 * reported to the server and printed, and the exit status is non-zero.
 */
@Command(name = "client", mixinStandardHelpOptions = true, description = {"What a machine booted by 'imgcast serve --boot' runs: ask the server"
        + " what to do by this machine's MAC, then receive its image onto the disk its host entry picks, capture that disk into the"
        + " server's store, or show the menu of an unknown machine; afterwards do the entry's 'then' (reboot, poweroff, shell).",
        "On failure the reason goes to the server and the console, and the exit status is non-zero."})
final class BootClientCommand implements Callable<Integer> {
    @Option(names = "--cmdline", paramLabel = "FILE", description = "read the kernel line from FILE (default: /proc/cmdline)") Path cmdline;
    @Option(names = "--json", description = "print the result as one JSON object on standard output") boolean json;
    @Option(names = "--no-then", description = "say the host entry's afterwards action instead of doing it") boolean noThen;

    private URI base;
    private ClientTrust trust;
    private BootCmdline kernel;
    private String iface;
    private String mac;

    @Override
    public Integer call() throws Exception {
        try {
            kernel = BootClient.cmdline(cmdline);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        trust = TrustOptions.client(kernel.fingerprint(), null, kernel.insecure());
        base = trust.base(kernel.server());
        iface = BootClient.iface(kernel.mac());
        mac = kernel.mac() != null ? kernel.mac() : AutoAssignment.mac(iface);
        System.err.println("imgcast: asking " + base + " what to do with " + mac + " (" + iface + ")");
        Assignment a;
        try {
            a = AutoAssignment.ask(base, trust, mac);
        } catch (IOException e) {
            return failed(null, e.getMessage());
        }
        System.err.println("imgcast: " + (a.name() != null ? "host '" + a.name() + "'" : "this machine") + " (" + mac + "): " + a.action()
                + (a.image() != null ? " " + a.image() : "") + " (" + a.reason() + ")");
        return switch (a.action()) {
            case Assignment.IMAGE -> receive(a, null);
            case Assignment.CAPTURE -> capture(a, null);
            case Assignment.MENU -> menu(a);
            default -> AutoReceive.nothing(a, json);
        };
    }

    /** The receive --auto path ({@code image}: the menu's pick for a machine the server does not know). */
    private int receive(Assignment a, String image) throws Exception {
        List<String> args = new ArrayList<>(List.of("--server", base.toString(), "--auto", "--mac", mac, "--interface", iface));
        if (kernel.fingerprint() != null) args.addAll(List.of("--server-key", kernel.fingerprint()));
        if (kernel.insecure()) args.add("--insecure-http");
        if (json) args.add("--json");
        if (image != null) args.addAll(List.of("--image", image));
        ReceiveCommand rc = new ReceiveCommand();
        new CommandLine(rc).parseArgs(args.toArray(String[]::new));
        int code;
        try {
            code = rc.call();
        } catch (CliException e) {
            report(image != null ? image : a.image(), e.getMessage());
            throw e;
        } catch (Exception e) {
            report(image != null ? image : a.image(), String.valueOf(e.getMessage()));
            throw e;
        }
        if (code != ExitCode.OK.code) return failed(image != null ? image : a.image(), rc.failure != null ? rc.failure : "the receive exited " + code);
        return then(a.then());
    }

    /** Captures the disk the assignment's rule picks into the server's store ({@code name}: the menu's, else the token's). */
    private int capture(Assignment a, String name) throws Exception {
        Path disk;
        try {
            disk = AutoReceive.disk(a);
        } catch (CliException e) {
            report(a.image(), e.getMessage());
            throw e;
        }
        String into = name != null ? name : a.image();
        BootClient.Captured c;
        try (Progress p = Progress.forTerminal("capture " + disk + " to the server as " + into, 0, json)) {
            c = BootClient.capture(base, trust, mac, a.token(), disk, name, p);
        } catch (IOException | RuntimeException e) {
            return failed(into, "capture of " + disk + " failed: " + e.getMessage());
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", true);
            m.put("action", Assignment.CAPTURE);
            m.put("mac", mac);
            m.put("image", c.image());
            m.put("sent_chunks", c.sentChunks());
            m.put("sent_bytes", c.sentBytes());
            m.put("skipped_chunks", c.skippedChunks());
            System.out.println(Json.write(m));
        } else {
            System.out.printf("captured %s into the server's store as image %s: %d chunks sent (%s), %d already there%n", disk, c.image(),
                    c.sentChunks(), Units.bytes(c.sentBytes()), c.skippedChunks());
        }
        return then(a.then());
    }

    private int menu(Assignment a) throws Exception {
        ClientMenu.Choice c = new ClientMenu(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out).ask(mac);
        switch (c.action()) {
            case REGISTER -> {
                try {
                    BootClient.register(base, trust, mac, c.name());
                } catch (IOException e) {
                    return failed(null, e.getMessage());
                }
                System.out.println("registered as host '" + c.name() + "'; the server's operator gives it an image with 'imgcast hosts add --mac "
                        + mac + " --name " + c.name() + " --image IMAGE'");
                return ExitCode.OK.code;
            }
            case RECEIVE -> {
                return receive(a, c.name());
            }
            case CAPTURE -> {
                return capture(a, c.name());
            }
            default -> {
                System.out.println("booting the local disk");
                return ExitCode.OK.code;
            }
        }
    }

    /** A failure: told to the server (if it can be) and printed; exit 1. */
    private int failed(String image, String reason) {
        System.err.println("imgcast: network boot failed: " + reason);
        report(image, reason);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", false);
            m.put("mac", mac);
            m.put("error", reason);
            System.out.println(Json.write(m));
        }
        return ExitCode.ERROR.code;
    }

    private void report(String image, String reason) {
        String notTold = BootClient.report(base, trust, mac, image, reason);
        if (notTold != null) System.err.println("imgcast: could not tell the server: " + notTold);
    }

    /** The host entry's afterwards action: done, or with --no-then only named. */
    private int then(String then) throws IOException, InterruptedException {
        if (then == null) return ExitCode.OK.code;
        List<String> cmd = BootClient.thenCommand(then);
        if (noThen) {
            (json ? System.err : System.out).println("then: " + then + " (would run '" + String.join(" ", cmd) + "'; without --no-then it does)");
            return ExitCode.OK.code;
        }
        System.err.println("imgcast: then " + then + ": " + String.join(" ", cmd));
        int rc = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        return rc == 0 || then.equals("shell") ? ExitCode.OK.code : ExitCode.ERROR.code;
    }
}
