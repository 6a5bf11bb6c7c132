package io.imgcast.cli;

import io.imgcast.testutil.Cli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Help: every argument described, every default shown, the exit code table; bare imgcast is a usage error. */
class HelpTest {
    @Test
    void everyOptionAndArgumentIsDescribedAndShowsItsDefault() {
        List<String> missing = new ArrayList<>();
        CommandLine root = Main.fullCommandLine();
        for (var e : root.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().userObject() instanceof CommandLine.HelpCommand) continue;
            for (ArgSpec a : e.getValue().getCommandSpec().args()) {
                String label = e.getKey() + " " + (a instanceof OptionSpec o ? o.longestName() : a.paramLabel());
                String d = String.join(" ", a.description());
                if (d.isBlank()) {
                    missing.add(label + ": no description");
                    continue;
                }
                String dflt = a.defaultValue();
                boolean flag = a instanceof OptionSpec o && o.arity().max() == 0;
                if (dflt != null && !dflt.isEmpty() && !flag && !d.contains("${DEFAULT-VALUE}") && !d.contains(dflt)) {
                    missing.add(label + ": default " + dflt + " not shown");
                }
            }
        }
        assertTrue(missing.isEmpty(), String.join("\n", missing));
    }

    @Test
    void helpShowsDefaultsUnitsAndExitCodes() {
        String serve = Cli.run("serve", "--help").ok().out();
        assertTrue(serve.contains("(default 30)"), serve);
        assertTrue(serve.contains("(default 15)"), "--machine-timeout: " + serve);
        assertTrue(serve.contains("bits per second") && serve.contains("(default 950Mbit)"), serve);
        assertTrue(serve.contains("Exit codes:") && serve.contains("no such store or image"), serve);
        String receive = Cli.run("receive", "--help").ok().out();
        assertTrue(receive.contains("(default 60)"), "--timeout: " + receive);
        assertTrue(receive.contains("--target=DIR|DEVICE") && receive.contains("where the image goes"), receive);
        assertTrue(receive.contains("-q, --quiet") && receive.contains("no progress"), receive);
        String status = Cli.run("status", "--help").ok().out();
        assertTrue(status.contains("(default https://127.0.0.1:8470/)"), status);
        String send = Cli.run("send", "--help").ok().out();
        assertTrue(send.contains("in bytes") && send.contains("(default 2GiB)"), "--cache: " + send);
        for (ExitCode c : ExitCode.values()) assertTrue(send.contains(c.meaning.substring(0, Math.min(20, c.meaning.length()))), c + " in " + send);
    }

    @Test
    void bareImgcastPrintsUsageAndExits2() {
        Cli.Result r = Cli.run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Usage: imgcast") && r.err().contains("capture"), r.err());
        assertEquals("", r.out());
        assertEquals(0, Cli.run("--help").code());
        assertEquals(0, Cli.run("help", "apply").code());
    }

    @Test
    void usageErrorsAreOneMessageNotTheWholeUsage() {
        Cli.Result r = Cli.run("verify", "--no-such-option");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unknown option: '--no-such-option'"), r.err());
        assertTrue(r.err().lines().count() <= 3, r.err());
        assertEquals(2, Cli.run("frobnicate").code());
    }
}
