package io.imgcast.cli;

import io.imgcast.cast.CastReceiver;
import io.imgcast.util.Json;
import io.imgcast.util.Progress;
import io.imgcast.util.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "receive", description = "Receive an image from an imgcast server onto a directory or a device/file; exit 0 only when it is complete and verified.")
final class ReceiveCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, paramLabel = "URL", description = "e.g. http://10.0.0.1:8470/") URI server;
    @Option(names = "--image", required = true) String image;
    @Option(names = "--target", required = true, paramLabel = "DIR|DEVICE") Path target;
    @Option(names = "--interface", required = true, paramLabel = "IF", description = "interface that receives the multicast stream") String iface;
    @Option(names = "--priority", defaultValue = "0", description = "higher goes first (default ${DEFAULT-VALUE})") int priority;
    @Option(names = "--machine", description = "name shown on the server (default: host name)") String machine;
    @Option(names = "--server-key", paramLabel = "HEX", description = "pin the server's key: leading hex of the SHA-256 of its public key") String serverKey;
    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "give up after this long without progress or server") long timeout;
    @Option(names = "--readback", description = "after receiving, read the whole target back and check it against the image") boolean readback;
    @Option(names = "--json") boolean json;
    @Option(names = {"-q", "--quiet"}) boolean quiet;

    @Override
    public Integer call() throws Exception {
        String name = machine;
        if (name == null) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                name = "machine";
            }
        }
        URI base = server.toString().endsWith("/") ? server : URI.create(server + "/");
        CastReceiver.Result r;
        try (Progress p = Progress.forTerminal("receive " + image, 0, quiet || json)) {
            r = new CastReceiver(new CastReceiver.Config(base, image, target, priority, iface, name, serverKey, timeout * 1000, 100, readback), p).run();
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", r.ok());
            m.put("error", r.error());
            m.put("image", r.image());
            m.put("target", target.toString());
            m.put("seconds", r.seconds());
            m.put("received_bytes", r.neededBytes());
            m.put("received_chunks", r.neededChunks());
            m.put("reused_chunks", r.reusedChunks());
            m.put("packets", r.packets());
            m.put("rejected", r.rejected());
            m.put("kernel_drops", r.kernelDrops());
            m.put("fec_decodes", r.decodes());
            m.put("loss", r.loss());
            m.put("phases", r.phases());
            System.out.println(Json.write(m));
        } else if (r.ok()) {
            System.out.printf("received %s onto %s: %s in %s (%d chunks, %d already in place), verified%n", image, target,
                    Units.bytes(r.neededBytes()), Units.seconds((long) (r.seconds() * 1e9)), r.neededChunks(), r.reusedChunks());
        } else {
            System.err.println("imgcast: receive failed: " + r.error());
        }
        return r.ok() ? 0 : 1;
    }
}
