package io.imgcast.api;

import io.imgcast.cast.DataCipher;
import io.imgcast.cast.Wire;

/**
 * The answer to a join: the session, the machine's id on the list, the image's kind and, for
 * an image still being read ({@code live}), its volume's size, or else its chunk count and
 * manifest size; the stream to listen to and the bytes of data per datagram. The session's
 * secrets for this machine: {@code wireKey}, the datagram key (32 hex digits, {@link
 * Wire.Key}); {@code signer}, the public key (X.509, base64) that signs the
 * session's block directories, manifests and live table slices; {@code token}, the machine's own
 * token, which its later requests carry (header {@code X-Imgcast-Token}) so that no one else can
 * speak for it; {@code dataKey}, when the session encrypts its data ({@code --encrypt}), the
 * AES key of its symbols (32 hex digits, {@link DataCipher}), else null. They
 * are secrets only as far as the control port keeps them: over TLS (a {@code serve} without
 * {@code --insecure-http}) no one on the wire reads them.
 */
public record JoinReply(int session, int machineId, String image, String kind, Boolean live, Long volumeSize,
                        Integer chunks, Integer manifestBytes, int stream, String group, Integer symbolSize,
                        String wireKey, String signer, String token, String dataKey) {
    /** True for an image still being read when the machine joined. */
    public boolean liveImage() {
        return Boolean.TRUE.equals(live);
    }
}
