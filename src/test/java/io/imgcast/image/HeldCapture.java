package io.imgcast.image;

import io.imgcast.cli.Main;
import io.imgcast.testutil.CutOffChannel;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The CLI with one source file that stops delivering data part-way: a capture run through it is
 * held at a known point (after {@code HOLD_AFTER} bytes of {@code FILE}) for as long as the test
 * wants, instead of hoping that it is still running. It prints {@code held: FILE} on standard
 * error when it gets there, and stays there until its standard input ends (the test closes it,
 * kills the process, or exits), so it never outlives the test run.
 *
 * <pre>java io.imgcast.image.HeldCapture FILE HOLD_AFTER capture SOURCE --name ... --store ...</pre>
 */
public final class HeldCapture {
    private HeldCapture() {}

    public static void main(String[] args) {
        Path held = Path.of(args[0]).toAbsolutePath();
        long after = Long.parseLong(args[1]);
        TreeCapture.opener = p -> {
            FileChannel in = FileChannel.open(p, StandardOpenOption.READ);
            return p.toAbsolutePath().equals(held) ? new HoldingChannel(in, after, held) : in;
        };
        System.exit(Main.run(Arrays.copyOfRange(args, 2, args.length)));
    }

    /** Delivers {@code after} bytes of the real file, then blocks until standard input ends. */
    private static final class HoldingChannel extends CutOffChannel {
        private final Path path;

        HoldingChannel(FileChannel in, long after, Path path) {
            super(in, after);
            this.path = path;
        }

        @Override
        protected void cutOff(long delivered) throws IOException {
            System.err.println("held: " + path + " after " + delivered + " bytes");
            System.err.flush();
            while (System.in.read() >= 0) {
                // wait for end of input
            }
            throw new IOException("released by the test (standard input ended)");
        }
    }
}
