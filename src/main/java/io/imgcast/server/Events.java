package io.imgcast.server;

import io.imgcast.api.Event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The server's event vocabulary ({@link Event.Kind}: a machine joined, moved stream, was lost,
 * rejoined, is done, failed with a reason; a session started or ended) and where each event goes:
 * its sinks, registered by whoever listens (the log, {@code EventLog}; the state's history; the
 * console's live feed). Emitting never throws: a sink that fails is skipped for that event, so a
 * full disk cannot stop the server. The clock is passed in (tests use a fixed one).
 */
public final class Events {
    /** Events go nowhere (a server without listeners, tests of other parts). */
    static Events none() {
        return new Events(System::currentTimeMillis);
    }

    private final List<Consumer<Event>> sinks = new CopyOnWriteArrayList<>();
    private final LongSupplier clockMs;

    public Events(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    /** Adds a sink; each event reaches the sinks in the order they were added. */
    public void sink(Consumer<Event> sink) {
        sinks.add(sink);
    }

    /** Emits an event about machine {@code m}. */
    void machine(Event.Kind kind, Machine m, String detail) {
        emit(new Event(clockMs.getAsLong(), kind, m.session, m.name, m.imageName, m.joined() ? m.stream : null, detail));
    }

    /** Emits an event about session {@code session} (the state's id; 0 for the server's own run). */
    void session(Event.Kind kind, long session, String detail) {
        emit(new Event(clockMs.getAsLong(), kind, session, null, null, null, detail));
    }

    /** Hands {@code e} to every sink. */
    public void emit(Event e) {
        for (Consumer<Event> s : sinks) {
            try {
                s.accept(e);
            } catch (RuntimeException ex) {
                System.err.println("imgcast serve: an event sink failed (" + ex.getMessage() + "); event: " + e.kind() + " " + e.machine());
            }
        }
    }
}
