/**
 * Forward error correction for multicast: a systematic Reed-Solomon erasure code over
 * GF(2^8) built on a Cauchy matrix.
 *
 * <h2>Vocabulary</h2>
 * <dl>
 *   <dt>symbol</dt>
 *   <dd>The unit of coding: a byte string of fixed length T (the <em>symbol size</em>,
 *       e.g. 1456 bytes, one multicast packet payload). All symbols of a source block
 *       have the same length T.</dd>
 *   <dt>source block</dt>
 *   <dd>The group of data protected together: {@code k} source symbols
 *       ({@code 1 <= k}, typically up to about 200) plus the repair symbols computed from
 *       them. Blocks are coded independently of one another.</dd>
 *   <dt>source symbol</dt>
 *   <dd>One of the {@code k} symbols of original data in a source block. The code is
 *       <em>systematic</em>: source symbols are transmitted unchanged.</dd>
 *   <dt>repair symbol</dt>
 *   <dd>A symbol computed from all {@code k} source symbols of a block (a GF(2^8) linear
 *       combination with Cauchy coefficients). A block has up to {@code 256 - k} of them.
 *       Any {@code k} distinct symbols of a block, source or repair in any mix, recover
 *       all its source symbols, so one repair symbol heals a different lost source symbol
 *       at each receiver.</dd>
 *   <dt>ESI (encoding symbol id)</dt>
 *   <dd>The index of a symbol within its source block: {@code 0 .. k-1} are the source
 *       symbols in order, {@code k + r} is repair symbol {@code r}
 *       ({@code r = 0 .. maxRepair-1}). An ESI always fits in one unsigned byte.</dd>
 * </dl>
 *
 * <h2>Short data</h2>
 * The coder only knows full symbols. When the data of a block does not fill its last
 * source symbol (e.g. the tail of a chunk), the sender must zero-pad that symbol to T
 * bytes before encoding, and the receiver must hand full, zero-padded T-byte symbols to
 * the decoder and cut the decoded result back to the true length, which it must learn
 * out of band (for instance from the chunk length). Padding with anything but the
 * bytes used at encoding time corrupts the recovered data.
 *
 * <h2>Classes</h2>
 * <ul>
 *   <li>{@link io.imgcast.codec.fec.GF256} &ndash; field arithmetic and the row kernels
 *       (in ISA-L, {@code Isal}, when libisal2 is installed).</li>
 *   <li>{@link io.imgcast.codec.fec.ReedSolomonCode} &ndash; the code for one
 *       {@code (k, maxRepair)}; produces repair symbols and recovers lost source symbols
 *       in place ({@code recover}, called by the receiver's {@code cast.BlockAssembler}).</li>
 * </ul>
 *
 * <p>On the hot paths callers pass in buffers and scratch space:
 * {@link io.imgcast.codec.fec.ReedSolomonCode#encodeRepair} allocates nothing and
 * {@link io.imgcast.codec.fec.ReedSolomonCode#recover} only a mask of {@code k} flags.
 */
package io.imgcast.codec.fec;
