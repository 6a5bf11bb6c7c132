package io.imgcast.server;

import io.imgcast.api.HostGroup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The server's current session, with time passed in: the groups started together, each with its
 * readiness ({@link StartGate}: {@code expect} of its machines in, or {@code wait} seconds since
 * the session started; a group with neither is ready at once), and the machines admitted. Data
 * is held while the session {@link State#WAITING waits} for its groups; once every group is ready
 * it {@link State#RUNNING runs}. Groups started while a session waits or runs join it (a late
 * machine joins the running session); {@link #stop} admits no one new, {@link #cancel} fails its
 * machines. Not thread-safe: the caller holds a lock.
 */
final class Sessions {
    /** A session's life; lower case on the wire and in the state. */
    enum State {
        WAITING, RUNNING, STOPPED, CANCELLED, ENDED;

        boolean admits() {
            return this == WAITING || this == RUNNING;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The answer to a machine of {@code group} asking in: the session it joins, or why not (it may ask again later). */
    record Admission(long session, String refusal) {}

    /** The session now: id, groups, state, machines. */
    static final class Current {
        final long id;
        final long startNs;
        final Map<String, StartGate> gates = new LinkedHashMap<>();
        /** Admitted machines by id → their group. */
        final Map<Integer, String> machines = new LinkedHashMap<>();
        State state = State.WAITING;

        Current(long id, long startNs) {
            this.id = id;
            this.startNs = startNs;
        }

        List<String> groups() {
            return new ArrayList<>(gates.keySet());
        }
    }

    private Current current;

    /** The session now, or null when none was started. */
    Current current() {
        return current;
    }

    /**
     * Starts {@code groups}: into the waiting or running session, or a new one with id {@code newId}
     * (the caller's, from the state). Returns the session they are in.
     */
    Current start(List<HostGroup> groups, long newId, long nowNs) {
        if (current == null || !current.state.admits()) current = new Current(newId, nowNs);
        for (HostGroup g : groups) {
            if (current.gates.containsKey(g.name())) continue;
            int expect = g.expect() != null ? g.expect() : 0;
            long waitMs = g.waitSeconds() != null ? g.waitSeconds() * 1000L : Long.MAX_VALUE / 2_000_000L;
            StartGate gate = new StartGate(expect, waitMs);
            gate.onJoin(nowNs); // the wait runs from the start
            current.gates.put(g.name(), gate);
        }
        check(nowNs, id -> false);
        return current;
    }

    /** May a machine of {@code group} come in? The refusals' words are what {@code receive --auto} waits on: keep them. */
    Admission admit(String group) {
        if (current == null || !current.gates.containsKey(group)) {
            return new Admission(0, "group '" + group + "' has no session; waiting for 'imgcast sessions start " + group + "'");
        }
        if (!current.state.admits()) {
            return new Admission(0, "session " + current.id + " of group '" + group + "' is " + current.state
                    + " and admits no one new; waiting for a new session");
        }
        return new Admission(current.id, null);
    }

    /** A machine of {@code group} joined session {@code session}. */
    void onJoin(long session, String group, int machineId) {
        if (current == null || current.id != session) return;
        current.machines.put(machineId, group);
    }

    /**
     * A waiting session runs once every group is ready; a machine counts as in once {@code in}
     * says so (it reported its needs: data sent before that would miss it). Returns whether the
     * session changed state.
     */
    boolean check(long nowNs, IntPredicate in) {
        if (current == null || current.state != State.WAITING) return false;
        Map<String, Integer> count = new HashMap<>();
        current.machines.forEach((id, g) -> {
            if (in.test(id)) count.merge(g, 1, Integer::sum);
        });
        for (Map.Entry<String, StartGate> e : current.gates.entrySet()) {
            if (!e.getValue().check(count.getOrDefault(e.getKey(), 0), nowNs)) return false;
        }
        current.state = State.RUNNING;
        return true;
    }

    /** Whether data may flow: no session holds it back. */
    boolean mayFlow() {
        return current == null || current.state != State.WAITING;
    }

    /** Admit no one new to session {@code id}; false when it is not the current one. */
    boolean stop(long id) {
        if (current == null || current.id != id || !current.state.admits()) return false;
        current.state = State.STOPPED;
        return true;
    }

    /** Cancels session {@code id}; returns its machines (to be failed), or null when it is not the current one. */
    Set<Integer> cancel(long id) {
        if (current == null || current.id != id || current.state == State.CANCELLED || current.state == State.ENDED) return null;
        current.state = State.CANCELLED;
        return Set.copyOf(current.machines.keySet());
    }

    /** The session machine {@code machineId} is in, or 0. */
    long sessionOf(int machineId) {
        return current != null && current.machines.containsKey(machineId) ? current.id : 0;
    }
}
