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
 * encoders and decoders with the same {@code k}.
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

    /**
     * Recovers {@code m} missing source symbols from {@code m} distinct repair symbols and the
     * {@code k - m} source symbols held, in place. Source symbol {@code j} (when held) is
     * {@code srcArr[j][srcOff[j] .. + len)}; {@code missing[0..m)} are the missing source ESIs;
     * {@code rep[i][repOff[i] .. + len)} is repair symbol {@code repEsi[i]}. The repair symbols
     * are overwritten, and their three arrays permuted, so that afterwards
     * {@code rep[l][repOff[l] ..]} is source symbol {@code missing[l]}.
     *
     * <p>Cost: {@code m * (k - m)} multiply-accumulate passes to take the held source symbols out of
     * the repair symbols, then Gauss-Jordan elimination on the {@code m x m} Cauchy system (its
     * {@code m^2} row operations applied to the data).
     *
     * @param matrix scratch of at least {@code m * m} bytes
     */
    public void recover(int len, byte[][] srcArr, int[] srcOff, int[] missing, int m,
                        byte[][] rep, int[] repOff, int[] repEsi, byte[] matrix) {
        boolean[] lost = new boolean[k];
        for (int l = 0; l < m; l++) lost[missing[l]] = true;
        // 1. repair_i -= the held source symbols' share, leaving the m x m system in the missing ones
        for (int i = 0; i < m; i++) {
            checkRepairEsi(repEsi[i]);
            byte[] coefs = cauchy[repEsi[i] - k];
            for (int j = 0; j < k; j++) {
                if (!lost[j]) GF256.mulAddRow(coefs[j], srcArr[j], srcOff[j], rep[i], repOff[i], len);
            }
            for (int l = 0; l < m; l++) matrix[i * m + l] = coefs[missing[l]];
        }
        // 2. Gauss-Jordan elimination on [matrix | repair data], in place; afterwards matrix is the
        //    identity and row l's data is source symbol missing[l]
        for (int c = 0; c < m; c++) {
            int p = c;
            while (p < m && matrix[p * m + c] == 0) p++;
            // impossible for a Cauchy system; guards against a broken construction
            if (p == m) throw new IllegalStateException("singular decoding matrix");
            if (p != c) swapRows(matrix, m, p, c, rep, repOff, repEsi);
            byte pivot = matrix[c * m + c];
            if (pivot != 1) {
                byte invPivot = GF256.inv(pivot);
                for (int l = c; l < m; l++) matrix[c * m + l] = GF256.mul(matrix[c * m + l], invPivot);
                GF256.mulRow(invPivot, rep[c], repOff[c], rep[c], repOff[c], len);
            }
            for (int i = 0; i < m; i++) {
                byte f = matrix[i * m + c];
                if (i == c || f == 0) continue;
                for (int l = c; l < m; l++) matrix[i * m + l] ^= GF256.mul(f, matrix[c * m + l]);
                GF256.mulAddRow(f, rep[c], repOff[c], rep[i], repOff[i], len);
            }
        }
    }

    private static void swapRows(byte[] matrix, int m, int a, int b, byte[][] rep, int[] repOff, int[] repEsi) {
        for (int l = 0; l < m; l++) {
            byte t = matrix[a * m + l];
            matrix[a * m + l] = matrix[b * m + l];
            matrix[b * m + l] = t;
        }
        byte[] r = rep[a];
        rep[a] = rep[b];
        rep[b] = r;
        int o = repOff[a];
        repOff[a] = repOff[b];
        repOff[b] = o;
        int e = repEsi[a];
        repEsi[a] = repEsi[b];
        repEsi[b] = e;
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
