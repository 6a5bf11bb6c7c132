package io.imgcast.cast;

import io.imgcast.codec.CorruptDataException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A receiver's periodic report to the server (body of POST .../feedback), big-endian:
 *
 * <pre>
 *   i32 n, then n x i32   indexes (in the image's chunk table) of chunks completed since the last report
 *   i32 m, then m x (i64 block, u8 burst, u16 missing)   every incomplete block it needs; bit 15 of
 *                          missing: the receiver lacks the block's directory. m = -1: no word on
 *                          blocks this round (datagrams still wait in its socket: blocks only look
 *                          incomplete); {@code blocks} is null then
 *   i64 packets received, i64 packets rejected, i64 kernel drops (cumulative)
 *   i32 loss in parts per million, i64 bytes written (cumulative)
 * </pre>
 */
public record FeedbackFormat(int[] completed, List<BlockReport> blocks, long packets, long rejected,
                             long kernelDrops, int lossPpm, long bytesWritten) {
    private static final int NO_DIRECTORY = 0x8000;

    public byte[] encode() {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream(64 + completed.length * 4 + (blocks == null ? 0 : blocks.size() * 11));
            DataOutputStream o = new DataOutputStream(bo);
            o.writeInt(completed.length);
            for (int c : completed) o.writeInt(c);
            o.writeInt(blocks == null ? -1 : blocks.size());
            if (blocks != null) for (BlockReport r : blocks) {
                o.writeLong(r.block());
                o.writeByte(r.burst());
                o.writeShort(Math.min(r.missing(), NO_DIRECTORY - 1) | (r.noDirectory() ? NO_DIRECTORY : 0));
            }
            o.writeLong(packets);
            o.writeLong(rejected);
            o.writeLong(kernelDrops);
            o.writeInt(lossPpm);
            o.writeLong(bytesWritten);
            return bo.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static FeedbackFormat decode(byte[] body, int chunkCount) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
            int n = in.readInt();
            if (n < 0 || n > chunkCount || n * 4L > body.length) throw new CorruptDataException("bad completed count");
            int[] c = new int[n];
            for (int i = 0; i < n; i++) {
                c[i] = in.readInt();
                if (c[i] < 0 || c[i] >= chunkCount) throw new CorruptDataException("chunk index out of range");
            }
            int m = in.readInt();
            if (m < -1 || m * 11L > body.length) throw new CorruptDataException("bad block count");
            List<BlockReport> blocks = m < 0 ? null : new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                long block = in.readLong();
                int burst = in.readUnsignedByte();
                int missing = in.readUnsignedShort();
                blocks.add(new BlockReport(block, burst, missing & (NO_DIRECTORY - 1), (missing & NO_DIRECTORY) != 0));
            }
            FeedbackFormat f = new FeedbackFormat(c, blocks, in.readLong(), in.readLong(), in.readLong(), in.readInt(), in.readLong());
            if (in.available() != 0) throw new CorruptDataException("trailing bytes in feedback");
            return f;
        } catch (IOException e) {
            throw new CorruptDataException("truncated feedback");
        }
    }
}
