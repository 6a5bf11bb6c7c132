package io.imgcast.cast;

import io.imgcast.chunk.ChunkId;
import io.imgcast.image.Capture;
import io.imgcast.image.CaptureOptions;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.store.ImageInfo;
import io.imgcast.store.Ingest;
import io.imgcast.store.Store;
import io.imgcast.store.Transfer;
import io.imgcast.util.Progress;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the binary seed corpora of the fuzz targets into src/test/resources (run from the
 * project's root once a format changes; the seeds are kept in the repository): live table
 * slices, a signed slice under another key, a signed manifest, a manifest, an export file and a
 * sealed datagram. Not a test.
 *
 * <pre>
 *   mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   $JAVA_HOME/bin/java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.imgcast.cast.FuzzSeeds
 * </pre>
 */
public final class FuzzSeeds {
    private static final Path RES = Path.of("src/test/resources/io/imgcast");

    private static void seed(String dir, String name, byte[] b) throws Exception {
        Path d = RES.resolve(dir);
        Files.createDirectories(d);
        Files.write(d.resolve(name), b);
    }

    public static void main(String[] args) throws Exception {
        // live table slices: growing, complete, failed
        LiveTable t = new LiveTable("disk", 1 << 20);
        for (int i = 0; i < 3; i++) {
            byte[] c = {(byte) i};
            t.add(i * 65536L, new ChunkMeta(ChunkId.hash(c, 0, 1), (byte) 0, 100 + i, 200 + i));
        }
        seed("cast/ParserFuzzTestInputs/liveTableSlicesDecodeOrAreRefused", "growing", t.encodeSlice(0));
        seed("cast/ParserFuzzTestInputs/liveTableSlicesDecodeOrAreRefused", "from-two", t.encodeSlice(2));
        seed("cast/ParserFuzzTestInputs/unsignedTableSlicesAreRefused", "signed-by-another-key",
                TableSignature.sign(io.imgcast.manifest.ImageSignature.newKeyPair().getPrivate(), 1, t.encodeSlice(0)));
        t.fail("read error on /dev/sda");
        seed("cast/ParserFuzzTestInputs/liveTableSlicesDecodeOrAreRefused", "failed", t.encodeSlice(0));

        // a small image in a throw-away store: its manifest, signed manifest and export file
        Path tmp = Files.createTempDirectory("imgcast-seeds");
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/hostname"), "seed\n");
        Files.write(tree.resolve("data.bin"), new byte[70_000]);
        Files.createSymbolicLink(tree.resolve("link"), Path.of("etc/hostname"));
        try (Store store = Store.open(tmp.resolve("store"), true)) {
            ImageInfo img = Capture.run(store, tree, false, new Ingest.ImageMeta("seed", "", "", "", 0), CaptureOptions.defaults());
            byte[] manifest = ManifestFormat.encode(store.manifest(img));
            seed("manifest/ManifestFuzzTestInputs/manifestsDecodeOrAreRefused", "tree", manifest);
            seed("cast/ParserFuzzTestInputs/signedManifestsDecodeOrAreRefused", "tree",
                    new SignedManifest(ImageKind.TREE, new byte[64], store.publicKey().getEncoded(), null, manifest).encode());
            Path export = tmp.resolve("seed.imgcast");
            Transfer.export(store, "seed", export, Progress.forTerminal("export", 0, true));
            seed("store/TransferFuzzTestInputs/exportFilesImportOrAreRefused", "tree", Files.readAllBytes(export));
        }

        // a datagram that passes the check under the fuzz target's key
        ByteBuffer p = ByteBuffer.allocate(Wire.MAX_PACKET);
        Wire.seal(p, WireFuzzTest.TEST_KEY, Wire.TYPE_SYMBOL, 42, 0, 3, 1, 9, CastSimulation.T);
        byte[] d = new byte[p.remaining()];
        p.get(d);
        seed("cast/WireFuzzTestInputs/datagramsNeverCrashTheReceiver", "sealed-symbol", d);
        System.out.println("seeds written under " + RES);
    }
}
