package io.imgcast.peer;

import io.imgcast.cast.ServedImage;
import io.imgcast.image.CaptureOptions;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.net.McastSocket;
import io.imgcast.server.CastServer;
import io.imgcast.trust.Admission;
import io.imgcast.trust.Identity;
import io.imgcast.trust.ServerTrust;

import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;

/**
 * A hostile host's master for the lab (its own process in the hostile namespace): its
 * announcements are signed by the legitimate master's key (as a host in the middle of the
 * control connection would relay them), and its manifests and directories too, but its
 * control port presents another key over TLS — what a host that intercepts the connection to
 * the real master can present at best, since it lacks the master's private key. A receiver
 * must refuse it at the TLS handshake, before a byte is written. Prints the fingerprint of
 * the key its TLS presents. Not a test.
 *
 * <pre>
 *   SplitKeyMaster IFACE SOURCE ANNOUNCED_KEY_FILE SECONDS
 * </pre>
 */
public final class SplitKeyMaster {
    /** The announcement group masters and receivers use by default. */
    private static final String ANNOUNCE = "239.77.0.254:9099";

    public static void main(String[] args) throws Exception {
        NetworkInterface nif = McastSocket.iface(args[0]);
        KeyPair announced = MasterKey.load(Path.of(args[2]));
        long until = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
        Identity other = new Identity(ImageSignature.newKeyPair());
        SourceCatalog catalog = new SourceCatalog(Path.of(args[1]), "rogue", 64L << 20, 0, announced);
        ServedImage img = catalog.read(true, null, CaptureOptions.defaults());
        CastServer.Config sc = new CastServer.Config(args[0], McastSocket.parseGroup("239.77.1.1:9000"), 100_000_000L,
                new InetSocketAddress("0.0.0.0", 8471), 1, 15_000, Integer.MAX_VALUE, Long.MAX_VALUE / 4_000_000L, 1, List.of());
        ServerTrust tls = new ServerTrust(other, true, Admission.ANY, null, false);
        try (CastServer server = new CastServer(catalog, sc, tls, announced, false)) {
            server.start();
            String address = McastSocket.ipv4(nif).getHostAddress();
            String publicKey = Base64.getEncoder().encodeToString(announced.getPublic().getEncoded());
            Announcer a = new Announcer(nif, 1, McastSocket.parseGroup(ANNOUNCE), () -> new Announce(Announce.ANNOUNCE,
                    server.session(), server.httpAddress().getPort(), "rogue", img.kind().name(), img.totalBytes(), img.totalBytes(),
                    img.storedBytes(), img.chunks().size(), "", Phase.READY, 0, 1, address, publicKey), announced.getPrivate(), 500);
            System.out.println("announcing as " + MasterKey.fingerprint(announced) + "; TLS key fingerprint: " + other.fingerprint());
            System.out.flush();
            while (System.nanoTime() < until) Thread.sleep(200);
            a.close();
        }
    }
}
