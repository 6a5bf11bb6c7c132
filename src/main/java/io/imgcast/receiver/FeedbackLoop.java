package io.imgcast.receiver;

import io.imgcast.cast.FeedbackFormat;
import io.imgcast.cast.ReceiveLoss;

import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * Reports to the server while a receive runs: every period, completions, per-block shortfalls
 * and counters ({@link FeedbackFormat}). The loss it reports is counted only over what the machine
 * could hear since it started listening, with its own receive overruns (kernel drops, reported
 * apart) taken out ({@link ReceiveLoss}). A round with no shortfall is skipped while the last
 * report is younger than three periods: repairs stay prompt, and a calm receiver costs itself
 * and the server a third of the requests. Follows the server's answer to another group, and
 * gives up when the server has not answered for the stall timeout.
 */
final class FeedbackLoop implements Runnable {
    /** A receive queue longer than this (about 30 datagrams as the kernel counts them) is a backlog. */
    private static final long BACKLOG_BYTES = 64 * 1024;
    /** While the machine finishes, a keep-alive report this often (ms). */
    private static final long KEEP_ALIVE_MS = 2000;

    private final ServerLink link;
    private final SharedAssembler asm;
    private final DatagramLoop datagrams;
    private final Counters counters;
    private final Stop stop;
    private final long periodMs;
    private final long stallTimeoutMs;
    private final URI server;
    private volatile long lastFeedbackNs;

    FeedbackLoop(ServerLink link, SharedAssembler asm, DatagramLoop datagrams, Counters counters, Stop stop, long periodMs,
                 long stallTimeoutMs, URI server) {
        this.link = link;
        this.asm = asm;
        this.datagrams = datagrams;
        this.counters = counters;
        this.stop = stop;
        this.periodMs = periodMs;
        this.stallTimeoutMs = stallTimeoutMs;
        this.server = server;
    }

    @Override
    public void run() {
        long lastOk = System.nanoTime();
        while (stop.running()) {
            Stop.sleep(periodMs);
            if (!stop.running()) return;
            if (send(false)) lastOk = System.nanoTime();
            else if (System.nanoTime() - lastOk > stallTimeoutMs * 1_000_000L) {
                stop.fail(new IOException("the server at " + server + " has not answered for " + stallTimeoutMs / 1000 + " s; giving up"));
                return;
            }
        }
    }

    /**
     * One report (unless {@code force}d, skipped when calm); false when it did not reach the
     * server. Completions that did not reach it are told again next time, unless the server
     * refused the report.
     */
    boolean send(boolean force) {
        KernelDrops.Socket sock = KernelDrops.forPort(datagrams.port());
        long nowNs = System.nanoTime();
        boolean calm = !force && nowNs - lastFeedbackNs < 3 * periodMs * 1_000_000L;
        // while datagrams wait in the socket's queue (this machine fell behind for a moment),
        // blocks only look incomplete: report no shortfall then, or the server repairs for nothing
        SharedAssembler.Round round = asm.round(sock.queuedBytes() > BACKLOG_BYTES, calm, nowNs);
        if (round == null) return true;
        // /proc lists only open sockets: keep the last reading taken while ours was open
        counters.kernelDrops = Math.max(counters.kernelDrops, sock.drops());
        // the loss reported is the network's: gaps this machine's own overruns explain are told
        // apart (the kernel drops go in their own field, and the server answers them by pacing)
        double loss = ReceiveLoss.network(round.loss(), counters.packets.get(), counters.kernelDrops);
        counters.loss = loss;
        FeedbackFormat f = new FeedbackFormat(round.completed(), round.reports(), counters.packets.get(), counters.rejectedTotal(),
                counters.kernelDrops, (int) (loss * 1e6), counters.written.get());
        try {
            String group = link.feedback(f.encode());
            lastFeedbackNs = System.nanoTime();
            if (group != null) datagrams.moveTo(group);
            return true;
        } catch (ServerLink.FailedByServer e) {
            stop.fail(e);
            return false;
        } catch (ServerLink.Refused e) {
            if (e.forgotten()) stop.fail(new Rejoin("the server no longer knows this machine (restarted?)"));
            return false;
        } catch (IOException e) {
            asm.untake(round.completed());
            return false;
        }
    }

    /**
     * While the machine finishes (flushes its target, reads it back), a report every 2 s with
     * nothing new in it: on a slow disk that takes longer than the server's timeout for a silent
     * machine. Stopped by interrupting the returned thread.
     */
    static Thread keepAlive(ServerLink link, Counters counters) {
        return Thread.ofPlatform().daemon().name("imgcast-keepalive").start(() -> {
            while (true) {
                try {
                    Thread.sleep(KEEP_ALIVE_MS);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    link.feedback(new FeedbackFormat(new int[0], List.of(), counters.packets.get(), counters.rejectedTotal(),
                            counters.kernelDrops, (int) (counters.loss * 1e6), counters.written.get()).encode());
                } catch (IOException ignored) {
                    // the done report that follows says what matters; a lost keep-alive only risks the timeout
                }
            }
        });
    }
}
