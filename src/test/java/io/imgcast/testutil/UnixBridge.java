package io.imgcast.testutil;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Joins a loopback TCP port in one network namespace to a loopback port in another through a
 * Unix socket file (a file is seen from every namespace; a loopback port only from its own), so
 * that this JVM can talk to a program listening on loopback inside a lab namespace (the browser
 * test's chromedriver). Two halves: {@link #tcpToUnix} here (a 127.0.0.1 port whose connections go
 * to the socket file), and {@link #main} run inside the namespace (the socket file's connections
 * go to a port of that namespace's loopback). No traffic leaves loopback.
 */
public final class UnixBridge implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private UnixBridge(ServerSocketChannel server, Thread acceptor) {
        this.server = server;
        this.acceptor = acceptor;
    }

    /** A port on this namespace's 127.0.0.1 whose connections go to the socket file {@code sock}. */
    public static UnixBridge tcpToUnix(Path sock) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread t = Thread.ofVirtual().start(() -> serve(s, () -> {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            c.connect(UnixDomainSocketAddress.of(sock));
            return c;
        }));
        return new UnixBridge(s, t);
    }

    public int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** {@code UnixBridge SOCKET-FILE PORT}: the socket file's connections go to 127.0.0.1:PORT here; runs until killed. */
    public static void main(String[] args) throws IOException {
        Path sock = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Files.deleteIfExists(sock);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(sock));
        serve(s, () -> SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
    }

    private interface Dial {
        SocketChannel dial() throws IOException;
    }

    private static void serve(ServerSocketChannel s, Dial dial) {
        while (s.isOpen()) {
            SocketChannel in;
            try {
                in = s.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> {
                try (SocketChannel a = in; SocketChannel b = dial.dial()) {
                    Thread back = Thread.ofVirtual().start(() -> pump(b, a));
                    pump(a, b);
                    back.join(60_000);
                } catch (IOException | InterruptedException e) {
                    // one connection failed; the bridge goes on
                }
            });
        }
    }

    private static void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) to.write(buf);
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
