package io.imgcast.console;

import io.imgcast.trust.Tokens;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who is logged in to the console, with time passed in: a login is a random id (the cookie)
 * with its own CSRF token, valid while used within {@link #IDLE_NS} and at most {@link #MAX_NS}
 * after the login; at most {@link #MAX_LOGINS} at once (the oldest goes). Failed passwords are
 * counted per address: after {@link #MAX_FAILURES} within a minute, that address must wait a
 * minute. Not thread-safe: the console calls it under its lock.
 */
final class Logins {
    static final long IDLE_NS = 8 * 3600 * 1_000_000_000L;
    static final long MAX_NS = 24 * 3600 * 1_000_000_000L;
    static final int MAX_LOGINS = 64;
    static final int MAX_FAILURES = 5;
    static final long FAILURE_WINDOW_NS = 60 * 1_000_000_000L;

    /** One login: its cookie id, its CSRF token, when it began and was last used. */
    static final class Login {
        final String id;
        final String csrf;
        final long startNs;
        long lastNs;

        Login(String id, String csrf, long nowNs) {
            this.id = id;
            this.csrf = csrf;
            this.startNs = nowNs;
            this.lastNs = nowNs;
        }
    }

    private final Map<String, Login> logins = new LinkedHashMap<>();
    private final Map<String, Deque<Long>> failures = new HashMap<>();

    /** A new login (after the password matched). */
    Login open(long nowNs) {
        while (logins.size() >= MAX_LOGINS) {
            Iterator<String> it = logins.keySet().iterator();
            it.next();
            it.remove();
        }
        Login l = new Login(Tokens.fresh(), Tokens.fresh(), nowNs);
        logins.put(l.id, l);
        return l;
    }

    /** The login with cookie {@code id}, still valid (and now used), or null. */
    Login check(String id, long nowNs) {
        if (id == null) return null;
        Login l = null;
        for (Login x : logins.values()) if (Tokens.same(x.id, id)) l = x; // constant time per comparison
        if (l == null) return null;
        if (nowNs - l.lastNs > IDLE_NS || nowNs - l.startNs > MAX_NS) {
            logins.remove(l.id);
            return null;
        }
        l.lastNs = nowNs;
        return l;
    }

    void close(String id) {
        if (id != null) logins.remove(id);
    }

    /** Whether {@code address} may try a password now. */
    boolean mayTry(String address, long nowNs) {
        Deque<Long> d = failures.get(address);
        if (d == null) return true;
        while (!d.isEmpty() && nowNs - d.peekFirst() > FAILURE_WINDOW_NS) d.removeFirst();
        if (d.isEmpty()) failures.remove(address);
        return d.size() < MAX_FAILURES;
    }

    /** A wrong password from {@code address}. */
    void failed(String address, long nowNs) {
        if (failures.size() > 10_000) failures.clear(); // many addresses: forget rather than grow
        failures.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(nowNs);
    }
}
