package io.imgcast.cli;

import io.imgcast.api.ControlJson;
import io.imgcast.api.GroupList;
import io.imgcast.api.Host;
import io.imgcast.api.HostGroup;
import io.imgcast.api.HostList;
import io.imgcast.api.Session;
import io.imgcast.api.SessionList;
import io.imgcast.api.SessionRequest;
import io.imgcast.state.Inventory;
import io.imgcast.state.Mac;
import io.imgcast.state.StateDb;
import io.imgcast.trust.ClientTrust;
import io.imgcast.trust.Tokens;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLException;

/**
 * How the inventory and session commands reach the server's state: through a running server's
 * admin API (so that a change takes effect at once), or, when no server runs for the state
 * directory, by writing {@code state.db} directly. A server is found by {@code --server URL}, or
 * by the {@code server.url} file a running server keeps in its state directory; a stale file (the
 * server is gone) falls back to the state itself.
 *
 * <p>The admin API needs the admin token and speaks TLS. These commands run on the server's own
 * machine, as the user who runs the server: beside {@code server.url} the server writes
 * {@code server.trust} ({@link #TRUST_FILE}), naming its key's fingerprint, which the CLI pins,
 * and its admin token file, which the CLI reads and sends. The state directory is the server's
 * own (root-only when installed), so whoever could forge these files could change the state
 * anyway. With {@code --server URL}, {@code --server-key} and {@code --admin-token} say the same
 * (else the state's file, else trust on first use and no token: the server then refuses).
 */
abstract class Admin implements AutoCloseable {
    abstract HostList hosts() throws IOException;

    abstract Host addHost(Host h) throws IOException;

    /** False when there was no such host. */
    abstract boolean removeHost(String key) throws IOException;

    abstract String setDefault(String rule) throws IOException;

    abstract GroupList groups() throws IOException;

    abstract HostGroup addGroup(HostGroup g) throws IOException;

    abstract boolean removeGroup(String name) throws IOException;

    abstract SessionList sessions() throws IOException;

    /** The session, or null. */
    abstract Session session(long id) throws IOException;

    abstract Session startSession(List<String> groups) throws IOException;

    /** {@code action}: stop or cancel. */
    abstract Session endSession(long id, String action) throws IOException;

    /** Where the changes go, for the user: "the server at URL" or "the state at DIR". */
    abstract String where();

    @Override
    public void close() {}

    /** The file beside {@code server.url}: {@code fingerprint=HEX} and {@code admin-token=FILE} of the running server. */
    static final String TRUST_FILE = "server.trust";

    /** The command line's words on reaching a server (null: not given). */
    record Access(String serverKey, boolean insecureHttp, Path adminToken) {}

    /** The running server's admin API, else the state directory itself. */
    static Admin open(StateOption state, URI server, Access access) throws IOException {
        Path dir = state.dir();
        Properties named = new Properties();
        Path trustFile = dir.resolve(TRUST_FILE);
        if (Files.isReadable(trustFile)) {
            try (var in = Files.newBufferedReader(trustFile)) {
                named.load(in);
            }
        }
        String pin = access.serverKey() != null ? access.serverKey() : named.getProperty("fingerprint");
        Path tokenFile = access.adminToken() != null ? access.adminToken()
                : named.getProperty("admin-token") != null ? Path.of(named.getProperty("admin-token")) : null;
        String token = null;
        if (tokenFile != null) {
            if (Files.isReadable(tokenFile)) token = Tokens.readAdminToken(tokenFile);
            else if (access.adminToken() != null) throw new CliException(ExitCode.USAGE, "cannot read the admin token file " + tokenFile);
        }
        if (server != null) return new Remote(server, TrustOptions.client(pin, null, access.insecureHttp()), token);
        Path urlFile = dir.resolve(StateOption.SERVER_URL);
        if (Files.exists(urlFile)) {
            URI url = URI.create(Files.readString(urlFile).trim());
            // the server wrote its own URL: plain HTTP there means it speaks nothing else
            Remote r = new Remote(url, TrustOptions.client(pin, null, "http".equalsIgnoreCase(url.getScheme())), token);
            if (r.answers()) return r;
            System.err.println("imgcast: no server answers at " + url + " (from " + urlFile + "); writing the state directly");
        }
        return new Local(StateDb.open(dir));
    }

    /** Through the state itself (no server running). */
    static final class Local extends Admin {
        private final StateDb db;
        private final Inventory inv;

        Local(StateDb db) {
            this.db = db;
            this.inv = new Inventory(db);
        }

        @Override HostList hosts() { return new HostList(db.hosts(), db.unknownDefault()); }

        @Override Host addHost(Host h) { return inv.addHost(h); }

        @Override boolean removeHost(String key) { return db.removeHost(Mac.looksLike(key) ? Mac.normalize(key) : key); }

        @Override String setDefault(String rule) { return inv.setDefault(rule); }

        @Override GroupList groups() { return new GroupList(db.groups()); }

        @Override HostGroup addGroup(HostGroup g) { return inv.addGroup(g); }

        @Override boolean removeGroup(String name) { return db.removeGroup(name); }

        @Override SessionList sessions() { return new SessionList(db.sessions()); }

        @Override Session session(long id) { return db.session(id); }

        @Override
        Session startSession(List<String> groups) {
            throw noServer();
        }

        @Override
        Session endSession(long id, String action) {
            throw noServer();
        }

        private CliException noServer() {
            return new CliException(ExitCode.ERROR, "sessions run in the server, and no server runs for the state " + db.dir()
                    + "; start 'imgcast serve --state " + db.dir() + "', or give --server URL");
        }

        @Override String where() { return "the state at " + db.dir(); }

        @Override
        public void close() {
            db.close();
        }
    }

    /** Through a running server's admin API. */
    static final class Remote extends Admin {
        private final URI base;
        private final String token;
        private final HttpClient http;

        /** {@code token}: the admin token sent with every request (null: none; the server refuses then). */
        Remote(URI base, ClientTrust trust, String token) {
            try {
                this.base = trust.base(base);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.USAGE, e.getMessage());
            }
            this.token = token;
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3));
            if (this.base.getScheme().equals("https")) b.sslContext(trust.context());
            this.http = b.build();
        }

        /**
         * Whether a server answers at all; one that answers but fails the TLS check or refuses
         * the token is an error, not a reason to write the state behind its back.
         */
        boolean answers() throws IOException {
            try {
                call("GET", "api/v1/admin/groups", null);
                return true;
            } catch (IOException e) {
                if (e.getCause() instanceof ConnectException || e instanceof HttpConnectTimeoutException) return false;
                throw e;
            }
        }

        @Override HostList hosts() throws IOException { return ControlJson.read(HostList.class, call("GET", "api/v1/admin/hosts", null)); }

        @Override Host addHost(Host h) throws IOException { return ControlJson.read(Host.class, call("POST", "api/v1/admin/hosts", h)); }

        @Override boolean removeHost(String key) throws IOException { return delete("api/v1/admin/hosts/" + enc(key)); }

        @Override
        String setDefault(String rule) throws IOException {
            return ControlJson.read(HostList.class, call("POST", "api/v1/admin/default", new HostList(null, rule))).unknownDefault();
        }

        @Override GroupList groups() throws IOException { return ControlJson.read(GroupList.class, call("GET", "api/v1/admin/groups", null)); }

        @Override HostGroup addGroup(HostGroup g) throws IOException { return ControlJson.read(HostGroup.class, call("POST", "api/v1/admin/groups", g)); }

        @Override boolean removeGroup(String name) throws IOException { return delete("api/v1/admin/groups/" + enc(name)); }

        @Override SessionList sessions() throws IOException { return ControlJson.read(SessionList.class, call("GET", "api/v1/admin/sessions", null)); }

        @Override
        Session session(long id) throws IOException {
            try {
                return ControlJson.read(Session.class, call("GET", "api/v1/admin/sessions/" + id, null));
            } catch (CliException e) {
                if (e.exit == ExitCode.NOT_FOUND) return null;
                throw e;
            }
        }

        @Override
        Session startSession(List<String> groups) throws IOException {
            return ControlJson.read(Session.class, call("POST", "api/v1/admin/sessions", new SessionRequest(groups)));
        }

        @Override
        Session endSession(long id, String action) throws IOException {
            return ControlJson.read(Session.class, call("POST", "api/v1/admin/sessions/" + id + "/" + action, Map.of()));
        }

        @Override String where() { return "the server at " + base; }

        private boolean delete(String path) throws IOException {
            try {
                call("DELETE", path, null);
                return true;
            } catch (CliException e) {
                if (e.exit == ExitCode.NOT_FOUND) return false;
                throw e;
            }
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        /** One request; an error answer becomes a {@link CliException} with the server's message (404: exit 4, no such thing). */
        private String call(String method, String path, Object body) throws IOException {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
            if (token != null) b.header(Tokens.HEADER, token);
            b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                    : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(ControlJson.bytes(body)));
            HttpResponse<String> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (ConnectException e) {
                throw new IOException("cannot connect to the server at " + base, e);
            } catch (SSLException e) {
                throw new CliException(ExitCode.TRUST, "the server at " + base + " failed the TLS check: " + e.getMessage());
            }
            if (r.statusCode() / 100 == 2) return r.body();
            String msg;
            try {
                msg = String.valueOf(ControlJson.readMap(r.body()).getOrDefault("error", "HTTP " + r.statusCode()));
            } catch (IOException | RuntimeException e) {
                msg = "HTTP " + r.statusCode();
            }
            if (r.statusCode() == 404) throw new CliException(ExitCode.NOT_FOUND, msg);
            if (r.statusCode() == 403) {
                throw new CliException(ExitCode.ERROR, msg + "; run this on the server's machine as the user who runs it, or pass --admin-token FILE");
            }
            throw new CliException(r.statusCode() == 400 ? ExitCode.USAGE : ExitCode.ERROR, msg);
        }
    }
}
