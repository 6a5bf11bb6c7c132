package io.imgcast.server;

import com.sun.net.httpserver.HttpExchange;
import io.imgcast.api.ControlJson;
import io.imgcast.api.ErrorReply;
import io.imgcast.api.Event;
import io.imgcast.api.Status;
import io.imgcast.console.Console;
import io.imgcast.state.StateDb;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.Store;
import io.imgcast.trust.ServerTrust;
import io.imgcast.trust.Tokens;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * The server's side of the admin console and of {@code /metrics}: registers their routes on the
 * control API, answers the {@link Console}'s questions from the server (status, images, admin
 * actions through the {@link AdminApi}), and keeps the events of each session in the state's
 * history, written by one thread of its own so that a slow disk never holds the server's lock.
 */
final class ServerConsole implements Console.Backend {
    /** Events waiting to be written to the history, at most; beyond, they are only logged. */
    static final int HISTORY_QUEUE = 10_000;

    private final CastServer server;
    private final ImageCatalog catalog;
    private final ServerTrust trust;
    private final Events events;
    private final Console console;
    private volatile AdminApi admin;
    private volatile StateDb db;
    private volatile boolean metricsNeedAdmin;
    private final BlockingQueue<Event> history = new ArrayBlockingQueue<>(HISTORY_QUEUE);
    private volatile Thread writer;

    ServerConsole(CastServer server, ImageCatalog catalog, ServerTrust trust, Events events, ControlApi api) {
        this.server = server;
        this.catalog = catalog;
        this.trust = trust;
        this.events = events;
        this.console = new Console(this, !trust.statusNeedsAdmin());
        api.route("/", console::handle);
        api.route("/metrics", this::metrics);
    }

    void metricsNeedAdmin(boolean needAdmin) {
        this.metricsNeedAdmin = needAdmin;
    }

    /** With a state: logins, admin actions, and the history of each session's events. */
    void enable(StateDb state, AdminApi adminApi) {
        this.db = state;
        this.admin = adminApi;
        console.enable(state);
        events.sink(e -> {
            if (e.session() > 0 && !history.offer(e)) {
                System.err.println("imgcast serve: the history falls behind; event not kept: " + EventLog.text(e));
            }
        });
        writer = Thread.ofPlatform().daemon().name("imgcast-history").start(this::writeHistory);
    }

    /** Writes what the history still waits for (the server stops: its last events, session ended among them). */
    void close() {
        StateDb state = db;
        if (state == null) return;
        Thread w = writer;
        w.interrupt();
        try {
            w.join(2000); // it finishes the event it is writing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Event e;
        while ((e = history.poll()) != null) {
            try {
                state.putEvent(e);
            } catch (RuntimeException ex) {
                System.err.println("imgcast serve: cannot keep an event in the history: " + ex.getMessage());
                return;
            }
        }
    }

    private void writeHistory() {
        while (true) {
            Event e;
            try {
                e = history.take();
            } catch (InterruptedException ex) {
                return;
            }
            try {
                db.putEvent(e);
            } catch (RuntimeException ex) {
                System.err.println("imgcast serve: cannot keep an event in the history: " + ex.getMessage());
            }
        }
    }

    private void metrics(HttpExchange ex) throws IOException {
        try (ex) {
            if (metricsNeedAdmin && !Tokens.same(trust.adminToken(), ex.getRequestHeaders().getFirst(Tokens.HEADER))) {
                byte[] b = ControlJson.bytes(new ErrorReply("metrics need the admin token on this server (serve --metrics admin)"));
                ex.sendResponseHeaders(403, b.length);
                ex.getResponseBody().write(b);
                return;
            }
            StateDb state = db;
            long sessions = state == null ? 0 : state.sessions().size();
            long storeBytes = catalog instanceof StoreCatalog sc ? sc.store().packBytes() : 0;
            byte[] b = Metrics.text(server.status(), new Metrics.Extra(sessions, storeBytes)).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        }
    }

    @Override
    public Status status() {
        return server.status();
    }

    @Override
    public long unionBytes() {
        return server.unionBytes();
    }

    @Override
    public List<Console.Image> images() {
        if (!(catalog instanceof StoreCatalog sc)) return List.of();
        Store store = sc.store();
        List<Console.Image> out = new ArrayList<>();
        for (ImageInfo i : store.images()) {
            long unique;
            try {
                Store.Unique u = store.unique(i);
                unique = u.known() ? u.storedBytes() : -1;
            } catch (RuntimeException e) {
                unique = -1;
            }
            out.add(new Console.Image(i.name(), i.kind().name().toLowerCase(Locale.ROOT), i.bytes(), i.storedBytes(), unique,
                    i.created(), i.description()));
        }
        return out;
    }

    @Override
    public String fingerprint() {
        return trust.fingerprint();
    }

    @Override
    public Console.Answer admin(String method, String path, byte[] body) {
        AdminApi a = admin;
        if (a == null) return new Console.Answer(409, new ErrorReply("this server has no state: no admin actions"));
        AdminApi.Answer r = a.handle(method, path, body);
        return new Console.Answer(r.status(), r.body());
    }

    @Override
    public void onEvent(Consumer<Event> sink) {
        events.sink(sink);
    }
}
