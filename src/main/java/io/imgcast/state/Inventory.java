package io.imgcast.state;

import io.imgcast.api.Assignment;
import io.imgcast.api.Host;
import io.imgcast.api.HostGroup;

import java.util.List;
import java.util.Locale;

/**
 * The rules of the inventory over a {@link StateDb}, the same whether the command line writes the
 * state itself (server stopped) or the server does for it: what a valid host, group and default
 * are, and what a machine asking by its MAC is told ({@link #assignment}).
 */
public final class Inventory {
    /** What a host does once its image is in. */
    public static final List<String> THEN = List.of("reboot", "poweroff", "shell");

    private final StateDb db;

    public Inventory(StateDb db) {
        this.db = db;
    }

    public StateDb db() {
        return db;
    }

    /** Checks and normalises {@code h}, then adds or replaces it; returns it as stored. */
    public Host addHost(Host h) {
        String mac = Mac.normalize(h.mac());
        String name = Names.check("host", h.name());
        String group = h.group() == null || h.group().isEmpty() ? null : Names.check("group", h.group());
        HostGroup g = group == null ? null : db.group(group);
        if (group != null && g == null) {
            throw new IllegalArgumentException("no group named '" + group + "'; add it first with 'imgcast groups add " + group + "'");
        }
        String image = h.image() == null || h.image().isEmpty() ? null : image(h.image());
        String task = task(h.task());
        if (image == null && (g == null || g.image() == null) && task == null) {
            throw new IllegalArgumentException("host '" + name + "' needs an image: give --image, or put it in a group that has one");
        }
        String disk = h.disk() == null || h.disk().isEmpty() ? null : DiskRule.parse(h.disk()).text();
        String then = h.then() == null || h.then().isEmpty() ? null : then(h.then());
        Host stored = new Host(mac, name, image, group, disk, then, task, h.fresh() != null && h.fresh() ? Boolean.TRUE : null);
        db.putHost(stored);
        return stored;
    }

    public HostGroup addGroup(HostGroup g) {
        String name = Names.check("group", g.name());
        if (g.expect() != null && (g.expect() < 1 || g.expect() > 100_000)) throw new IllegalArgumentException("--expect must be from 1 to 100000");
        if (g.waitSeconds() != null && (g.waitSeconds() < 0 || g.waitSeconds() > 7 * 86400)) {
            throw new IllegalArgumentException("--wait must be from 0 to 604800 seconds");
        }
        HostGroup stored = new HostGroup(name, g.image() == null || g.image().isEmpty() ? null : image(g.image()), g.expect(), g.waitSeconds(), null);
        db.putGroup(stored);
        return db.group(name);
    }

    /** Sets what an unknown machine gets: {@code ignore}, {@code local-disk}, {@code register}, {@code menu} or an image name. */
    public String setDefault(String rule) {
        String r = rule == null ? "" : rule.trim();
        if (!StateDb.DEFAULT_RULES.contains(r)) r = image(r);
        db.setUnknownDefault(r);
        return r;
    }

    /**
     * What the machine with {@code mac} should do: a known host receives its image (or its group's)
     * onto the disk its rule picks, then does its {@code then}; an unknown one gets the default
     * ({@code register} records it as a host without an image, to be given one, and boots its local disk).
     */
    public Assignment assignment(String macText) {
        String mac = Mac.normalize(macText);
        Host h = db.host(mac);
        if (h == null) {
            String rule = db.unknownDefault();
            return switch (rule) {
                case "ignore" -> new Assignment(Assignment.IGNORE, mac, null, null, null, null, null, "unknown machine; the server ignores unknown machines");
                case "local-disk" -> new Assignment(Assignment.NOTHING, mac, null, null, null, null, null, "unknown machine; boot the local disk");
                case "menu" -> new Assignment(Assignment.MENU, mac, null, null, "largest", null, null, "unknown machine; the server offers the menu");
                case "register" -> {
                    String name = "new-" + mac.replace(":", "");
                    if (db.hostByName(name) == null) db.putHost(new Host(mac, name, null, null, null, null));
                    yield new Assignment(Assignment.NOTHING, mac, name, null, null, null, null,
                            "registered as '" + name + "'; give it an image with 'imgcast hosts add --mac " + mac + " --name NAME --image IMAGE'");
                }
                default -> new Assignment(Assignment.IMAGE, mac, null, rule, "largest", null, null, "unknown machine; the default image");
            };
        }
        if (h.task() != null && h.task().startsWith(Host.CAPTURE + " ")) {
            String into = h.task().substring(Host.CAPTURE.length() + 1);
            return new Assignment(Assignment.CAPTURE, mac, h.name(), into, h.disk() != null ? h.disk() : "largest", h.then(), h.group(),
                    "host '" + h.name() + "': capture its disk as image '" + into + "'");
        }
        String image = h.image();
        if (image == null && h.group() != null) {
            HostGroup g = db.group(h.group());
            if (g != null) image = g.image();
        }
        if (image == null) return new Assignment(Assignment.NOTHING, mac, h.name(), null, null, null, h.group(), "host '" + h.name() + "' has no image yet");
        return new Assignment(Assignment.IMAGE, mac, h.name(), image, h.disk() != null ? h.disk() : "largest", h.then(), h.group(),
                h.group() != null ? "host '" + h.name() + "' of group '" + h.group() + "'" : "host '" + h.name() + "'",
                h.fresh() != null && h.fresh() ? Boolean.TRUE : null, null);
    }

    /**
     * A host's task: null or {@code deploy} (both stored as null), or {@code capture NAME} with a
     * valid image name; anything else is an error.
     */
    static String task(String t) {
        if (t == null || t.isBlank() || t.trim().equals(Host.DEPLOY)) return null;
        String v = t.trim();
        if (v.startsWith(Host.CAPTURE + " ") && !v.substring(Host.CAPTURE.length() + 1).isBlank()) {
            return Host.CAPTURE + " " + image(v.substring(Host.CAPTURE.length() + 1).trim());
        }
        throw new IllegalArgumentException("--task must be deploy or 'capture NAME', not '" + t + "'");
    }

    private static String image(String name) {
        if (name.length() > 255 || name.isBlank() || name.chars().anyMatch(ch -> ch < 0x20 || ch == '/')) {
            throw new IllegalArgumentException("'" + name + "' is not an image name");
        }
        return name;
    }

    private static String then(String t) {
        String v = t.toLowerCase(Locale.ROOT);
        if (!THEN.contains(v)) throw new IllegalArgumentException("--then must be reboot, poweroff or shell, not '" + t + "'");
        return v;
    }
}
