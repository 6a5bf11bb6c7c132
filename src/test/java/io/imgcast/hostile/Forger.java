package io.imgcast.hostile;

import io.imgcast.cast.Wire;
import io.imgcast.net.McastSocket;
import io.imgcast.trust.PinningTrustManager;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hostile host's datagram forger for the lab (run as its own process in the hostile
 * namespace): reads the session id from the master's or server's public status, then for
 * {@code SECONDS} sends to the data group what the attacks of the trust issue sent — block
 * directories with sequential block ids (about 50 KB/s) and symbols of ever new block ids with
 * k = 200, all with a valid CRC and the right session, but without the session's datagram key.
 * Prints how many datagrams it sent. Not a test.
 *
 * <pre>
 *   Forger STATUS_URL GROUP IFACE SECONDS
 * </pre>
 */
public final class Forger {
    public static void main(String[] args) throws Exception {
        URI status = URI.create(args[0]);
        InetSocketAddress group = McastSocket.parseGroup(args[1]);
        DatagramChannel ch = McastSocket.sender(McastSocket.iface(args[2]), 1);
        long until = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
        int session = session(status, until);
        System.out.println("forging for session " + session);
        Wire.Key guess = Wire.Key.random(); // not the session's: a host that did not join has no other
        Random r = new Random(7);
        ByteBuffer p = ByteBuffer.allocate(Wire.MAX_PACKET);
        long sent = 0;
        long nextBlock = 1L << 27; // fresh block ids, far from the ones in use
        int symbolSize = Wire.symbolSize(1500);
        while (System.nanoTime() < until) {
            // block directories for the block ids the master uses (sequential from 0): one chunk each
            for (int b = 0; b < 40; b++) {
                p.clear();
                p.position(Wire.HEADER);
                p.putShort((short) 1).putLong(r.nextLong()).put((byte) 0).putInt(symbolSize).putInt(symbolSize);
                p.put(new byte[Wire.SIGNATURE]);
                Wire.seal(p, guess, Wire.TYPE_INFO, session, 0, 1, 0, b, 2 + Wire.INFO_ENTRY + Wire.SIGNATURE);
                ch.send(p, group);
                sent++;
            }
            // symbols of blocks never seen, k = 200: each would have cost an unprotected receiver k x T bytes
            for (int i = 0; i < 60; i++) {
                p.clear();
                Wire.seal(p, guess, Wire.TYPE_SYMBOL, session, 0, Wire.MAX_K, 0, nextBlock++, symbolSize);
                ch.send(p, group);
                sent++;
            }
            Thread.sleep(20);
        }
        System.out.println("forged datagrams sent: " + sent);
    }

    /** The session id from {@code GET /api/v1/status}, asked until it answers. */
    private static int session(URI status, long untilNs) throws Exception {
        // an attacker checks no certificate: any key will do
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(new PinningTrustManager(null).context()).build();
        Pattern id = Pattern.compile("\"session\":(\\d+)");
        while (System.nanoTime() < untilNs) {
            try {
                String body = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(3)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = id.matcher(body);
                if (m.find()) return Integer.parseInt(m.group(1));
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no status from " + status);
    }
}
