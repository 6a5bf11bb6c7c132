package io.imgcast.codec.fec;

import java.util.Objects;

/**
 * A systematic Reed-Solomon erasure code over {@link GF256} for source blocks of
 * {@code k} source symbols and up to {@code maxRepair} repair symbols.
 *
 * <p><b>Construction.</b> The generator matrix is {@code [I; C]}: the first {@code k}
 * rows are the identity (ESI {@code j < k} is source symbol {@code j} itself) and repair
 * symbol {@code r} (ESI {@code k + r}) is the linear combination
 * {@code sum_j C[r][j] * source[j]} with the Cauchy matrix element
 * {@code C[r][j] = 1 / (x_r XOR y_j)}, {@code x_r = k + r}, {@code y_j = j}.
 * Because all the {@code x_r} and {@code y_j} are distinct field elements, every square
 * submatrix of {@code C} is non-singular, and therefore every {@code k}&times;{@code k}
 * submatrix of {@code [I; C]} is invertible: <em>any</em> {@code k} distinct encoding
 * symbols recover the block. In particular a given repair symbol replaces whichever
 * single source symbol a particular receiver lost, so one transmission heals different
 * losses at different receivers.
 *
 * <p>The distinctness requirement bounds the block: {@code k + maxRepair <= 256}.
 *
 * <p>Instances are immutable and thread-safe; one instance can serve any number of
 * encoders and {@link BlockDecoder}s with the same {@code k}.
 */
public final class ReedSolomonCode {

    /** Maximum number of encoding symbols (source + repair) in one source block. */
    public static final int MAX_ENCODING_SYMBOLS = 256;

    private final int k;
    private final int maxRepair;
    /** cauchy[r][j] = 1 / ((k + r) XOR j). */
    private final byte[][] cauchy;

    /**
     * @param k         number of source symbols per source block, {@code >= 1}
     * @param maxRepair largest number of repair symbols that will be produced or accepted,
     *                  {@code >= 0}, with {@code k + maxRepair <= 256}
     */
    public ReedSolomonCode(int k, int maxRepair) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (maxRepair < 0) {
            throw new IllegalArgumentException("maxRepair must be >= 0, got " + maxRepair);
        }
        if (k + maxRepair > MAX_ENCODING_SYMBOLS) {
            throw new IllegalArgumentException("k + maxRepair must be <= " + MAX_ENCODING_SYMBOLS
                    + ", got k=" + k + " maxRepair=" + maxRepair);
        }
        this.k = k;
        this.maxRepair = maxRepair;
        this.cauchy = new byte[maxRepair][k];
        for (int r = 0; r < maxRepair; r++) {
            int x = k + r;
            for (int j = 0; j < k; j++) {
                cauchy[r][j] = GF256.inv((byte) (x ^ j));
            }
        }
    }

    /** Number of source symbols per source block. */
    public int k() {
        return k;
    }

    /** Largest number of repair symbols this code produces or accepts. */
    public int maxRepair() {
        return maxRepair;
    }

    /** Number of valid ESIs: {@code k + maxRepair}. */
    public int encodingSymbolCount() {
        return k + maxRepair;
    }

    /**
     * Coefficient of source symbol {@code sourceEsi} in the repair symbol with ESI
     * {@code repairEsi}.
     */
    public byte coefficient(int repairEsi, int sourceEsi) {
        checkRepairEsi(repairEsi);
        Objects.checkIndex(sourceEsi, k);
        return cauchy[repairEsi - k][sourceEsi];
    }

    /**
     * Computes the repair symbol with ESI {@code esi} (which must be in
     * {@code k .. k + maxRepair - 1}; repair index {@code r = esi - k}) into
     * {@code out[off .. off + len)}.
     *
     * <p>Bytes {@code 0 .. len-1} of every {@code source[j]} are used. All source symbols
     * of a block have the same length; a caller whose last symbol is short must zero-pad
     * it to {@code len} (and the receiver must know the true length out of band, e.g. from
     * the chunk length), since the padding is part of what the repair symbols protect.
     *
     * <p>Allocation-free. Cost: {@code k} multiply-accumulate passes over {@code len} bytes.
     *
     * @param source the {@code k} source symbols, each at least {@code len} bytes
     * @throws IllegalArgumentException if {@code source} does not hold exactly {@code k} symbols
     */
    public void encodeRepair(byte[][] source, int esi, byte[] out, int off, int len) {
        checkRepairEsi(esi);
        if (source.length != k) {
            throw new IllegalArgumentException("expected " + k + " source symbols, got " + source.length);
        }
        Objects.checkFromIndexSize(off, len, out.length);
        byte[] coefs = cauchy[esi - k];
        GF256.mulRow(coefs[0], source[0], 0, out, off, len);
        for (int j = 1; j < k; j++) {
            GF256.mulAddRow(coefs[j], source[j], 0, out, off, len);
        }
    }

    /** Package-private: the row of C for repair index r (not copied; do not modify). */
    byte[] cauchyRow(int r) {
        return cauchy[r];
    }

    private void checkRepairEsi(int esi) {
        if (esi < k || esi >= k + maxRepair) {
            throw new IllegalArgumentException("repair ESI must be in [" + k + ", " + (k + maxRepair)
                    + "), got " + esi);
        }
    }
}
