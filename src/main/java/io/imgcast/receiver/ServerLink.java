package io.imgcast.receiver;

import io.imgcast.cast.FeedbackFormat;
import io.imgcast.cast.LiveTable;
import io.imgcast.cast.SignedManifest;

import java.io.IOException;

/**
 * A joined machine's resources on the server ({@code api/v1/machines/ID/...}) as the threads of
 * a receive use them: feedback, needs, the live table and the signed manifest. The join loop
 * implements it over HTTP; the others never see the control client or its messages.
 */
interface ServerLink {
    /** The server answered with an error status. */
    final class Refused extends IOException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        /** 404: the server no longer knows this machine (it restarted). */
        boolean forgotten() {
            return status == 404;
        }

        /** 503: not ready yet (the master still signs the manifest of a live image). */
        boolean notReady() {
            return status == 503;
        }
    }

    /** The server gave up on this machine (a chunk it needs is damaged there, or its session was cancelled), saying why. */
    final class FailedByServer extends IOException {
        FailedByServer(String reason) {
            super("the server failed this machine: " + (reason != null ? reason : "no reason given"));
        }
    }

    /**
     * Posts a feedback report ({@link FeedbackFormat}); returns the group the server puts this machine
     * on, or null; throws {@link FailedByServer} when the server has failed this machine.
     */
    String feedback(byte[] report) throws IOException;

    /** Whether the server said, in its last feedback reply, that it holds data back on purpose (its start gate or session waits): no stall. */
    default boolean held() {
        return false;
    }

    /** Posts the needs bitmap of table entries {@code [from, to)} of a live image. */
    void needs(int from, int to, byte[] bits) throws IOException;

    /** GETs the live table's placements from {@code from} on ({@link LiveTable#decodeSlice}). */
    byte[] table(int from, int max) throws IOException;

    /** GETs the signed manifest ({@link SignedManifest}). */
    byte[] manifest(int max) throws IOException;
}
