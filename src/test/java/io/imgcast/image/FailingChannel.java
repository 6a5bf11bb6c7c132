package io.imgcast.image;

import io.imgcast.testutil.CutOffChannel;

import java.io.IOException;
import java.nio.channels.FileChannel;

/** A read-only FileChannel that delivers {@code failAfter} bytes of the real file, then fails like a bad disk. */
class FailingChannel extends CutOffChannel {
    FailingChannel(FileChannel in, long failAfter) {
        super(in, failAfter);
    }

    @Override
    protected void cutOff(long delivered) throws IOException {
        throw new IOException("Input/output error (injected)");
    }
}
