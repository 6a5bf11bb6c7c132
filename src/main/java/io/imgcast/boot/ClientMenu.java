package io.imgcast.boot;

import io.imgcast.state.Names;
import io.imgcast.store.ImageName;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;

/**
 * The console menu of a machine the server does not know (when the server's default for unknown
 * machines is {@code menu}): register it under a name, receive an image, capture its disk to the
 * server, or boot the local disk. Reads answers line by line (a console, or piped input in
 * tests); the end of input, or too many bad answers, boots the local disk.
 */
public final class ClientMenu {
    /** What the menu chose. */
    public enum Action { REGISTER, RECEIVE, CAPTURE, LOCAL }

    /** The choice and its name (the host's for REGISTER, the image's for RECEIVE and CAPTURE; null for LOCAL). */
    public record Choice(Action action, String name) {}

    static final int MAX_TRIES = 5;

    private final BufferedReader in;
    private final PrintStream out;

    public ClientMenu(BufferedReader in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    /** Shows the menu for the machine {@code mac} and returns the choice. */
    public Choice ask(String mac) throws IOException {
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            out.println();
            out.println("imgcast: this machine (" + mac + ") is not known to the server.");
            out.println("  1) register it under a name");
            out.println("  2) receive an image onto its disk");
            out.println("  3) capture its disk to the server as a new image");
            out.println("  4) boot the local disk");
            out.print("choice [1-4]: ");
            out.flush();
            String line = in.readLine();
            if (line == null) return local("no input");
            switch (line.trim()) {
                case "1" -> {
                    String n = name("name for this machine (letters, digits, '.', '_', '-')", ClientMenu::hostName);
                    if (n != null) return new Choice(Action.REGISTER, n);
                }
                case "2" -> {
                    String n = name("image to receive", ClientMenu::imageName);
                    if (n != null) return new Choice(Action.RECEIVE, n);
                }
                case "3" -> {
                    String n = name("name of the new image", ClientMenu::imageName);
                    if (n != null) return new Choice(Action.CAPTURE, n);
                }
                case "4" -> {
                    return new Choice(Action.LOCAL, null);
                }
                default -> out.println("imgcast: '" + line.trim() + "' is not one of 1, 2, 3, 4");
            }
        }
        return local("no valid choice after " + MAX_TRIES + " tries");
    }

    private Choice local(String why) {
        out.println();
        out.println("imgcast: " + why + ": booting the local disk");
        return new Choice(Action.LOCAL, null);
    }

    private interface Check {
        void check(String s);
    }

    /** Asks for a name until {@code check} takes it (bounded); null when input ends or no good name came. */
    private String name(String prompt, Check check) throws IOException {
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            out.print(prompt + ": ");
            out.flush();
            String line = in.readLine();
            if (line == null) return null;
            String n = line.trim();
            try {
                check.check(n);
                return n;
            } catch (RuntimeException e) {
                // a name rule's words (the store's are a StoreException)
                out.println("imgcast: " + e.getMessage());
            }
        }
        return null;
    }

    static void hostName(String n) {
        Names.check("host", n);
    }

    static void imageName(String n) {
        ImageName.check(n);
    }
}
