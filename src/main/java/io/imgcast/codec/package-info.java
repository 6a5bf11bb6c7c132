/**
 * Encodings of chunk payloads. {@link io.imgcast.codec.ChunkCodec}: zstd per chunk, or raw when
 * zstd does not help. The encoding byte (0 raw, 1 zstd) is the same in packs and on the wire.
 * Forward error correction lives in {@code io.imgcast.codec.fec}.
 */
package io.imgcast.codec;
