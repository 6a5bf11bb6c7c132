package io.imgcast.state;

import java.util.List;

/**
 * The schema of {@code state.db}, as numbered steps. A database records the steps applied in
 * {@code schema_version}; opening it applies the missing ones in order, each in one transaction.
 * Steps are only ever added at the end, never changed: a database written by any earlier version
 * upgrades.
 */
final class Migrations {
    private Migrations() {}

    /** Step n (from 1) is {@code STEPS.get(n - 1)}: its SQL statements. */
    static final List<List<String>> STEPS = List.of(
            // 1: the inventory
            List.of("CREATE TABLE host(mac TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, image TEXT, grp TEXT, disk TEXT, then_action TEXT,"
                            + " created TEXT NOT NULL)",
                    "CREATE TABLE grp(name TEXT PRIMARY KEY, image TEXT, expect INTEGER, wait_seconds INTEGER, created TEXT NOT NULL)",
                    "CREATE TABLE setting(key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            // 2: sessions and their machines' results
            List.of("CREATE TABLE session(id INTEGER PRIMARY KEY AUTOINCREMENT, groups TEXT NOT NULL, state TEXT NOT NULL,"
                            + " started TEXT NOT NULL, ended TEXT)",
                    "CREATE TABLE session_machine(session INTEGER NOT NULL, name TEXT NOT NULL, mac TEXT, image TEXT, state TEXT NOT NULL,"
                            + " seconds REAL, bytes INTEGER, error TEXT, PRIMARY KEY(session, name))"),
            // 3: network boot: a host's task (null: deploy; 'capture NAME'), whether it receives fresh, and the image
            // network boot last deployed onto it since its entry was written (null: none; it boots the receiver)
            List.of("ALTER TABLE host ADD COLUMN task TEXT", "ALTER TABLE host ADD COLUMN fresh INTEGER",
                    "ALTER TABLE host ADD COLUMN booted_done TEXT"));

    static int latest() {
        return STEPS.size();
    }
}
