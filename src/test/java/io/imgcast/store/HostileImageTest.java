package io.imgcast.store;

import io.imgcast.manifest.ChunkList;
import io.imgcast.manifest.Entry;
import io.imgcast.manifest.EntryType;
import io.imgcast.manifest.ImageKind;
import io.imgcast.manifest.ImageSignature;
import io.imgcast.manifest.Manifest;
import io.imgcast.manifest.ManifestFormat;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.StoreState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An export file is checked against the key it carries, so anyone can make one. Whatever its
 * manifest says, applying it must not touch anything outside the target directory.
 */
class HostileImageTest {
    @TempDir Path tmp;

    static Entry e(String path, EntryType type, String target) {
        return new Entry(path, type, type == EntryType.DIRECTORY ? 0755 : 0644, 0, 0, 0, 0, 0, target, 0, List.of(), ChunkList.EMPTY);
    }

    /** A well-formed, validly signed (by its own key) export file with this manifest and no chunks. */
    static byte[] exportFile(String name, Manifest m) throws Exception {
        byte[] blob = ManifestFormat.encode(m);
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(blob);
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(kp.getPrivate());
        s.update(ImageSignature.payload(name, ImageKind.TREE, sha));
        byte[] sig = s.sign();
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bo);
        o.write("IMGCASTX".getBytes(StandardCharsets.US_ASCII));
        o.writeByte(1);
        o.writeUTF(name);
        o.writeUTF("TREE");
        o.writeUTF("");
        o.writeUTF("");
        o.writeUTF("");
        o.writeLong(0);
        for (byte[] b : new byte[][] {blob, sig, kp.getPublic().getEncoded()}) {
            o.writeInt(b.length);
            o.write(b);
        }
        o.writeLong(m.distinctChunks().size());
        o.flush();
        byte[] body = bo.toByteArray();
        bo.write("IMGCASTE".getBytes(StandardCharsets.US_ASCII));
        bo.write(MessageDigest.getInstance("SHA-256").digest(body));
        return bo.toByteArray();
    }

    void expectRefused(Manifest m, Path outside) throws Exception {
        Path store = tmp.resolve("store");
        Cli.run("capture", Files.createDirectories(tmp.resolve("empty-src")), "--name", "honest", "--store", store, "-q").ok();
        StoreState before = StoreState.of(store);
        Path file = tmp.resolve("hostile.imgcast");
        Files.write(file, exportFile("hostile", m));
        Cli.Result imp = Cli.run("import", file, "--store", store, "-q");
        if (imp.code() == 0) {
            Cli.Result r = Cli.run("apply", "hostile", tmp.resolve("target"), "--store", store, "-q");
            assertEquals(1, r.code(), "apply of a manifest that leaves its target must fail");
        } else {
            assertTrue(imp.err().contains("unsafe") || imp.err().contains("damaged"), imp.err());
            assertEquals(before, StoreState.of(store));
        }
        try (var l = Files.list(outside)) {
            assertEquals(List.of(), l.toList(), "nothing was created outside the target");
        }
    }

    @Test
    void entryBehindASymlinkIsRefused() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        expectRefused(Manifest.tree(List.of(
                e("", EntryType.DIRECTORY, null),
                e("link", EntryType.SYMLINK, outside.toString()),
                e("link/planted-fifo", EntryType.FIFO, null))), outside);
    }

    @Test
    void hardLinkBehindASymlinkIsRefused() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path secret = Files.writeString(tmp.resolve("secret"), "s");
        expectRefused(Manifest.tree(List.of(
                e("", EntryType.DIRECTORY, null),
                e("link", EntryType.SYMLINK, outside.toString()),
                e("up", EntryType.SYMLINK, tmp.toString()),
                e("link/stolen", EntryType.HARDLINK, "up/" + secret.getFileName()))), outside);
        assertEquals(1L, (long) (Integer) Files.getAttribute(secret, "unix:nlink"));
    }

    @Test
    void decodeRejectsEntriesWithoutADirectoryParentAndBadHardLinks() {
        List<List<Entry>> bad = List.of(
                List.of(e("", EntryType.DIRECTORY, null), e("s", EntryType.SYMLINK, "/etc"), e("s/x", EntryType.FIFO, null)),
                List.of(e("", EntryType.DIRECTORY, null), e("f", EntryType.FIFO, null), e("f/x", EntryType.FIFO, null)),
                List.of(e("", EntryType.DIRECTORY, null), e("a/x", EntryType.FIFO, null)),
                List.of(e("", EntryType.DIRECTORY, null), e("x", EntryType.FIFO, null), e("x", EntryType.FIFO, null)),
                List.of(e("", EntryType.DIRECTORY, null), e("h", EntryType.HARDLINK, "nowhere")),
                List.of(e("", EntryType.DIRECTORY, null), e("d", EntryType.DIRECTORY, null), e("h", EntryType.HARDLINK, "d")),
                List.of(e("", EntryType.DIRECTORY, null), e("h", EntryType.HARDLINK, "h2"), e("h2", EntryType.FIFO, null)),
                List.of(e("x", EntryType.FIFO, null)));
        for (List<Entry> entries : bad) {
            byte[] blob = ManifestFormat.encode(Manifest.tree(entries));
            try {
                ManifestFormat.decode(blob);
                throw new AssertionError("accepted " + entries.stream().map(Entry::path).toList());
            } catch (io.imgcast.codec.CorruptDataException expected) {
                // fine
            }
        }
    }
}
