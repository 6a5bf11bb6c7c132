package io.imgcast.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The plain-HTTP listener of network boot (stock iPXE cannot check a self-signed certificate):
 * {@code GET /boot.ipxe?mac=MAC} (the machine's script, from {@link Scripts}), {@code GET
 * /boot/vmlinuz} and {@code GET /boot/initrd.img} (the boot files from the boot dir); HEAD too;
 * everything else 404. Nothing secret is served here.
 *
 * <p>A small server of its own rather than the JDK's: the JDK's closes a reply that takes longer
 * than its limit (30 s for the control API), and an initramfs of 150 MiB to a firmware's slow
 * TCP may take longer. Here a request's head (8 KiB at most) must arrive within
 * {@link #REQUEST_S} seconds, and a reply that makes no progress for {@link #STALL_S} seconds is
 * cut; at most {@link #MAX_CONNECTIONS} at once, each on a virtual thread.
 */
public final class BootHttp implements AutoCloseable {
    static final int REQUEST_S = 10;
    static final int STALL_S = 60;
    static final int MAX_CONNECTIONS = 512;
    private static final int MAX_HEAD = 8192;
    public static final String KERNEL = "vmlinuz";
    public static final String INITRD = "initrd.img";

    /** The script for a machine: {@code mac} as asked (null: none given), {@code local} the address the request came in on. */
    public interface Scripts {
        String script(String mac, InetAddress local);
    }

    private final ServerSocket socket;
    private final Path bootDir;
    private final Scripts scripts;
    private final Consumer<String> log;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    /** Open connections → the time of their last progress (nanoTime). */
    private final Map<Socket, Long> open = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private Thread acceptor;
    private Thread reaper;

    /** Listens on {@code listen}; the boot dir must hold both boot files ({@link #checkBootDir}). */
    public BootHttp(InetSocketAddress listen, Path bootDir, Scripts scripts, Consumer<String> log) throws IOException {
        checkBootDir(bootDir);
        this.bootDir = bootDir;
        this.scripts = scripts;
        this.log = log;
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(listen, 128);
    }

    /** Both boot files are in {@code dir}, or an error that says how to make them. */
    public static void checkBootDir(Path dir) throws IOException {
        for (String f : new String[] {KERNEL, INITRD}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IOException("the boot dir " + dir + " has no " + f + ": run imgcast boot build --out " + dir
                        + " (or give --boot-dir DIR where it wrote them)");
            }
        }
    }

    public void start() {
        acceptor = Thread.ofPlatform().daemon().name("imgcast-boot-http").start(this::accept);
        reaper = Thread.ofPlatform().daemon().name("imgcast-boot-http-reaper").start(this::reap);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (!closed) log.accept("boot http: accept failed: " + e.getMessage());
                continue;
            }
            if (!slots.tryAcquire()) {
                closeQuietly(s);
                continue;
            }
            open.put(s, System.nanoTime());
            Thread.ofVirtual().name("imgcast-boot-http-conn").start(() -> {
                try {
                    serve(s);
                    linger(s);
                } catch (IOException | RuntimeException e) {
                    // the client went away, was too slow, or sent garbage: nothing to answer
                } finally {
                    open.remove(s);
                    closeQuietly(s);
                    slots.release();
                }
            });
        }
    }

    /** Cuts connections that made no progress for too long (a request too slow, a reply not taken). */
    private void reap() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            open.forEach((s, t) -> {
                if (now - t > STALL_S * 1_000_000_000L) closeQuietly(s);
            });
        }
    }

    private void serve(Socket s) throws IOException {
        s.setSoTimeout(REQUEST_S * 1000);
        InputStream in = s.getInputStream();
        String head = readHead(in);
        String[] line = head.split("\r?\n", 2)[0].split(" ");
        OutputStream out = s.getOutputStream();
        if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
            reply(out, 400, "text/plain", "bad request\n", false);
            return;
        }
        boolean headOnly = line[0].equals("HEAD");
        if (!headOnly && !line[0].equals("GET")) {
            reply(out, 405, "text/plain", "GET or HEAD only\n", false);
            return;
        }
        String target = line[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        switch (path) {
            case "/boot.ipxe" -> {
                String mac = param(query, "mac");
                String body;
                try {
                    body = scripts.script(mac, s.getLocalAddress());
                } catch (IllegalArgumentException e) {
                    reply(out, 400, "text/plain", "#!ipxe\necho imgcast: " + IpxeScript.printable(e.getMessage()) + "\nexit\n", headOnly);
                    return;
                }
                reply(out, 200, "text/plain", body, headOnly);
            }
            case "/boot/" + KERNEL, "/boot/" + INITRD -> file(s, out, bootDir.resolve(path.substring("/boot/".length())), headOnly);
            default -> reply(out, 404, "text/plain", "not found\n", headOnly);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        byte[] buf = new byte[MAX_HEAD];
        int n = 0;
        while (n < MAX_HEAD) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed in the request");
            buf[n++] = (byte) b;
            if (n >= 4 && buf[n - 4] == '\r' && buf[n - 3] == '\n' && buf[n - 2] == '\r' && buf[n - 1] == '\n') break;
            if (n >= 2 && buf[n - 2] == '\n' && buf[n - 1] == '\n') break;
        }
        if (n == MAX_HEAD) throw new IOException("request head too large");
        return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** The value of {@code key} in a query string, decoded; null when absent. */
    static String param(String query, String key) {
        for (String kv : query.split("&")) {
            if (kv.startsWith(key + "=")) return URLDecoder.decode(kv.substring(key.length() + 1), StandardCharsets.UTF_8);
        }
        return null;
    }

    private void file(Socket s, OutputStream out, Path f, boolean headOnly) throws IOException {
        long size;
        InputStream in;
        try {
            in = Files.newInputStream(f);
            size = Files.size(f);
        } catch (IOException e) {
            log.accept("boot http: cannot read " + f + ": " + e.getMessage());
            reply(out, 404, "text/plain", "boot file missing\n", headOnly);
            return;
        }
        try (in) {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (headOnly) return;
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                open.replace(s, System.nanoTime());
            }
            out.flush();
        }
    }

    private static void reply(OutputStream out, int status, String type, String body, boolean headOnly) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            default -> "Error";
        };
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length
                + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) out.write(b);
        out.flush();
    }

    /** Ends the reply and reads (bounded) what the client still sends, so that closing does not reset the reply away. */
    private static void linger(Socket s) throws IOException {
        s.shutdownOutput();
        s.setSoTimeout(1000);
        InputStream in = s.getInputStream();
        byte[] sink = new byte[4096];
        for (int total = 0, n; total < 64 * 1024 && (n = in.read(sink)) > 0; ) total += n;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        open.keySet().forEach(BootHttp::closeQuietly);
        if (reaper != null) reaper.interrupt();
    }
}
