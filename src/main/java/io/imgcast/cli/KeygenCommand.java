package io.imgcast.cli;

import io.imgcast.peer.MasterKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(mixinStandardHelpOptions = true, name = "keygen",
        description = {"Make a master key for peer-to-peer sessions: an Ed25519 private key in FILE (PKCS#8, readable by its owner only)."
                + " 'imgcast send --key FILE' signs with it; receivers pin it with 'receive --from-peer --master-key FINGERPRINT'.",
                "Prints 'fingerprint: <64 hex digits>'. Never overwrites a file."})
final class KeygenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "where the new key goes (must not exist)") Path file;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliException(ExitCode.USAGE, "the key file " + file + " exists already; a key is never overwritten");
        }
        System.out.println("fingerprint: " + MasterKey.fingerprint(MasterKey.generate(file)));
        return 0;
    }
}
