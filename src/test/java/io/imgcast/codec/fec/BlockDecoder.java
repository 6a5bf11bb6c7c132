package io.imgcast.codec.fec;

import java.util.Arrays;
import java.util.Objects;

/**
 * A test and benchmark helper around {@link ReedSolomonCode#recover}: collects the encoding
 * symbols of one source block and reconstructs its {@code k} source symbols once any {@code k}
 * distinct symbols (source or repair, in any order) have arrived. The receiver does not use it:
 * its {@code cast.BlockAssembler} keeps symbols in place and calls {@code recover} itself.
 *
 * <p>Storage for {@code k} symbols of {@code symbolSize} bytes is allocated once, in
 * the constructor; {@link #add} copies into it. After {@code k} distinct symbols nothing
 * more can help, so later symbols are ignored. {@link #reset()} makes the decoder reusable
 * for the next source block of the same code and symbol size.
 *
 * <p>Decoding cost is proportional to the losses: with {@code m} missing source
 * symbols it is {@code m * k} multiply-accumulate passes over a symbol plus an
 * {@code O(m^3)} byte-level elimination; with no losses it is free. Only the
 * {@code m} missing columns take part in the elimination: the contribution of the
 * received source symbols is first subtracted from the {@code m} repair symbols, which
 * leaves an {@code m}&times;{@code m} Cauchy system that is solved by Gauss-Jordan
 * elimination (i.e. multiplying by its inverse), applied in place to the repair data.
 *
 * <p>Short symbols: every symbol handed to {@link #add} must be a full
 * {@code symbolSize} bytes. The sender zero-pads a short last source symbol before
 * encoding; the receiver passes the padded bytes as received (or zero-pads a short
 * received payload itself) and truncates the decoded symbol to its true length, which
 * it learns out of band.
 *
 * <p>Not thread-safe.
 */
public final class BlockDecoder {

    private final ReedSolomonCode code;
    private final int k;
    private final int symbolSize;

    /** Storage for k symbols, filled in arrival order. */
    private final byte[][] slots;
    /** seen[esi]: a symbol with this ESI has been stored. */
    private final boolean[] seen;
    /** sourceSlot[j]: slot holding source symbol j, or -1 while it is missing. */
    private final int[] sourceSlot;
    /** ESI stored in each slot. */
    private final int[] slotEsi;
    /** The k source symbols in ESI order, valid once decoded. */
    private final byte[][] result;

    // Scratch for decode(), sized for the largest possible number of losses.
    private final int[] missing;
    private final int[] repairSlots;
    private final byte[] matrix;

    private int received;
    private boolean decoded;

    /**
     * @param code       the code the block was encoded with
     * @param symbolSize symbol length T in bytes, {@code >= 1}
     */
    public BlockDecoder(ReedSolomonCode code, int symbolSize) {
        this.code = Objects.requireNonNull(code, "code");
        if (symbolSize < 1) {
            throw new IllegalArgumentException("symbolSize must be >= 1, got " + symbolSize);
        }
        this.k = code.k();
        this.symbolSize = symbolSize;
        this.slots = new byte[k][symbolSize];
        this.seen = new boolean[code.encodingSymbolCount()];
        this.sourceSlot = new int[k];
        this.slotEsi = new int[k];
        this.result = new byte[k][];
        int maxLoss = Math.min(k, code.maxRepair());
        this.missing = new int[maxLoss];
        this.repairSlots = new int[maxLoss];
        this.matrix = new byte[maxLoss * maxLoss];
        Arrays.fill(sourceSlot, -1);
    }

    /** The code this decoder decodes. */
    public ReedSolomonCode code() {
        return code;
    }

    /** Symbol length T in bytes. */
    public int symbolSize() {
        return symbolSize;
    }

    /**
     * Offers the encoding symbol with ESI {@code esi}, whose {@code symbolSize} bytes start
     * at {@code data[off]}. The bytes are copied, so the caller may reuse its buffer.
     * A symbol whose ESI was already stored, or any symbol arriving once the block is
     * decodable, is ignored.
     *
     * @return true if the block is now decodable ({@link #isComplete()})
     * @throws IllegalArgumentException if {@code esi} is not in {@code 0 .. k + maxRepair - 1}
     * @throws IndexOutOfBoundsException if {@code data} holds fewer than {@code symbolSize}
     *                                   bytes from {@code off}
     */
    public boolean add(int esi, byte[] data, int off) {
        if (esi < 0 || esi >= seen.length) {
            throw new IllegalArgumentException("ESI must be in [0, " + seen.length + "), got " + esi);
        }
        Objects.checkFromIndexSize(off, symbolSize, data.length);
        if (received >= k || seen[esi]) {
            return received >= k;
        }
        int slot = received++;
        System.arraycopy(data, off, slots[slot], 0, symbolSize);
        seen[esi] = true;
        slotEsi[slot] = esi;
        if (esi < k) {
            sourceSlot[esi] = slot;
        }
        return received >= k;
    }

    /** True once {@code k} distinct symbols are held, so {@link #decode()} will succeed. */
    public boolean isComplete() {
        return received >= k;
    }

    /** Number of further distinct symbols (of any ESI) needed before decoding; 0 when complete. */
    public int missingCount() {
        return Math.max(0, k - received);
    }

    /**
     * Returns the {@code k} source symbols of the block in ESI order, reconstructing any
     * missing ones. Calling it again returns the same result without further work.
     *
     * <p>The returned array and the symbol arrays in it belong to this decoder: they stay
     * valid until {@link #reset()} and must not be modified.
     *
     * @throws IllegalStateException if fewer than {@code k} distinct symbols have been added
     */
    public byte[][] decode() {
        if (decoded) {
            return result;
        }
        if (received < k) {
            throw new IllegalStateException("cannot decode source block: have " + received
                    + " distinct symbols but k=" + k + " are needed (" + (k - received) + " more)");
        }
        int m = 0;
        int nRepair = 0;
        for (int j = 0; j < k; j++) {
            if (sourceSlot[j] < 0) {
                missing[m++] = j;
            }
        }
        for (int slot = 0; slot < k; slot++) {
            if (slotEsi[slot] >= k) {
                repairSlots[nRepair++] = slot;
            }
        }
        // received == k, so exactly one repair symbol is held per missing source symbol.
        assert nRepair == m;
        if (m > 0) {
            recover(m);
        }
        for (int j = 0; j < k; j++) {
            result[j] = slots[sourceSlot[j]];
        }
        decoded = true;
        return result;
    }

    /** Solves for the m missing source symbols with {@link ReedSolomonCode#recover}. */
    private void recover(int m) {
        byte[][] srcArr = new byte[k][];
        for (int j = 0; j < k; j++) if (sourceSlot[j] >= 0) srcArr[j] = slots[sourceSlot[j]];
        byte[][] rep = new byte[m][];
        int[] repEsi = new int[m];
        for (int i = 0; i < m; i++) {
            rep[i] = slots[repairSlots[i]];
            repEsi[i] = slotEsi[repairSlots[i]];
        }
        code.recover(symbolSize, srcArr, new int[k], missing, m, rep, new int[m], repEsi, matrix);
        // rep[l] now holds source symbol missing[l]: find its slot
        for (int l = 0; l < m; l++) {
            for (int i = 0; i < m; i++) {
                int slot = repairSlots[i];
                if (slots[slot] == rep[l]) {
                    sourceSlot[missing[l]] = slot;
                    slotEsi[slot] = missing[l];
                }
            }
        }
    }

    /**
     * Forgets the current block so the decoder can take the next source block of the same
     * code. Invalidates the arrays returned by {@link #decode()}, whose storage is reused.
     */
    public void reset() {
        Arrays.fill(seen, false);
        Arrays.fill(sourceSlot, -1);
        Arrays.fill(result, null);
        received = 0;
        decoded = false;
    }
}
