package io.imgcast.cli;

import io.imgcast.state.KnownHosts;
import io.imgcast.state.StateDb;
import io.imgcast.store.Store;
import io.imgcast.trust.Admission;
import io.imgcast.trust.ClientTrust;
import io.imgcast.trust.Identity;
import io.imgcast.trust.ServerTrust;
import io.imgcast.trust.Tokens;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The trust options of the commands: a server's ({@code serve}, {@code relay}) and a receiver's. */
final class TrustOptions {
    private TrustOptions() {}

    /** Who may use the server. */
    enum Admit { any, known }

    /** Whether status needs the admin token. */
    enum StatusAccess { open, admin }

    /** {@code serve} and {@code relay}: TLS with the store's key (or plain HTTP for a lab), admission, the admin token. */
    static final class Serve {
        @Option(names = "--insecure-http", description = "plain HTTP on the control port, no TLS: anyone on the segment can read and alter the"
                + " control traffic (a lab only)") boolean insecureHttp;
        @Option(names = "--admit", defaultValue = "any", paramLabel = "any|known", description = "serve any machine, or only known machines:"
                + " the hosts of the server's state that have an image or a group (by MAC), and any --known (default ${DEFAULT-VALUE})") Admit admit;
        @Option(names = "--known", paramLabel = "MAC|ADDR", split = ",", description = "with --admit known: machines to serve, by hardware"
                + " address or IP address (repeatable, comma-separated)") java.util.List<String> known = new java.util.ArrayList<>();
        @Option(names = "--status", defaultValue = "open", paramLabel = "open|admin", description = "whether the status API and dashboard need"
                + " the admin token (default ${DEFAULT-VALUE})") StatusAccess status;
        @Option(names = "--admin-token", paramLabel = "FILE", description = "the admin token file, made (root-only) at first start"
                + " (default: admin.token in the store directory)") Path adminToken;

        /** The admin token file: {@code --admin-token}, else admin.token in the store directory. */
        Path tokenFile(Store s) {
            return (adminToken != null ? adminToken : s.dir().resolve("admin.token")).toAbsolutePath().normalize();
        }

        /** Without an inventory ({@code relay}): {@code --admit known} needs {@code --known}. */
        ServerTrust trust(Store s, PrintStream say) throws IOException {
            return trust(s, say, null);
        }

        /** {@code inventory}: the server's state, whose hosts {@code --admit known} admits (with any {@code --known}); may be null. */
        ServerTrust trust(Store s, PrintStream say, StateDb inventory) throws IOException {
            Identity id = Identity.ofStore(s.dir().resolve("store.key"), s.publicKey());
            Path tokenFile = tokenFile(s);
            String token;
            try {
                token = Tokens.adminToken(tokenFile);
            } catch (IOException e) {
                if (status == StatusAccess.admin) {
                    throw new CliException(ExitCode.ERROR, "cannot make or read the admin token " + tokenFile + ": " + e.getMessage());
                }
                say.println("warning: no admin token (" + tokenFile + ": " + e.getMessage() + "); admin actions are off");
                token = null;
            }
            Admission admission;
            if (admit == Admit.known) {
                if (known.isEmpty() && inventory == null) {
                    throw new CliException(ExitCode.USAGE, "--admit known needs the machines to serve (--known MAC|ADDR,...)");
                }
                Admission listed = known.isEmpty() ? null : Admission.known(Set.copyOf(known));
                Admission hosts = inventory == null ? null : new KnownHosts(inventory);
                admission = listed == null ? hosts : hosts == null ? listed : hosts.or(listed);
                say.println("admitting known machines only: " + (hosts != null ? "the inventory's hosts with an image or group (by MAC)" : "")
                        + (hosts != null && listed != null ? " and " : "") + (listed != null ? known.size() + " listed with --known" : ""));
            } else {
                admission = Admission.ANY;
                say.println("admitting any machine (--admit any): anyone on the network can receive these images");
            }
            if (insecureHttp) say.println("warning: plain HTTP on the control port (--insecure-http): no TLS, for a lab only");
            return new ServerTrust(id, !insecureHttp, admission, token, status == StatusAccess.admin);
        }
    }

    /** The receiver's: pins, and whether plain HTTP is allowed. */
    static ClientTrust client(String serverKey, String imageKey, boolean insecureHttp) {
        try {
            return ClientTrust.of(serverKey, imageKey, insecureHttp);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }
}
