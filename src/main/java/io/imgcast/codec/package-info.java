/**
 * Encodings of chunk payloads. {@link io.imgcast.codec.ChunkCodec}: zstd per chunk, or raw when
 * zstd does not help; x86 code first through {@link io.imgcast.codec.X86Filter}; with the store's
 * trained dictionary or without. The encoding byte (0 raw, 1 zstd, 2 zstd of x86-filtered code,
 * 3 and 4 the same two with the dictionary) is the same in packs and on the wire.
 * Forward error correction lives in {@code io.imgcast.codec.fec}.
 */
package io.imgcast.codec;
