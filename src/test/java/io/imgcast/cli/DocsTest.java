package io.imgcast.cli;

import io.imgcast.testutil.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Man pages and bash completion come from the CLI's model: every command, its options, the exit table. */
class DocsTest {
    @TempDir Path tmp;

    @Test
    void manPagesAndCompletionCoverEveryCommand() throws Exception {
        Docs.write(tmp);
        Path man = tmp.resolve("man/man1");
        String root = Files.readString(man.resolve("imgcast.1"));
        assertTrue(root.startsWith(".TH IMGCAST 1"), root);
        for (String c : new String[] {"capture", "apply", "verify", "serve", "receive", "send", "export", "import", "gc", "delete"}) {
            assertTrue(Files.exists(man.resolve("imgcast-" + c + ".1")), c);
            assertTrue(root.contains("\\fBimgcast\\-" + c + "\\fR(1)"), c + " in SEE ALSO");
        }
        String serve = Files.readString(man.resolve("imgcast-serve.1"));
        assertTrue(serve.contains("\\fB\\-\\-rate\\fR=\\fIBITS/S\\fR"), serve);
        assertTrue(serve.contains("(default 950Mbit)") && serve.contains("(default 30)"), serve);
        assertTrue(serve.contains(".SH EXIT STATUS") && serve.contains(ExitCode.REFUSED.meaning.replace("-", "\\-")), serve);
        String apply = Files.readString(man.resolve("imgcast-apply.1"));
        assertTrue(apply.contains(".SH ARGUMENTS") && apply.contains("\\fITARGET\\fR") && apply.contains("\\-\\-force"), apply);

        Path completion = tmp.resolve("bash-completion/imgcast");
        String script = Files.readString(completion);
        assertTrue(script.contains("complete") && script.contains("serve") && script.contains("--exit-after-idle"), "completion script");
        // bash parses it, and completes a subcommand and an option
        Sh.Result r = Sh.run("bash", "-c", "source '" + completion + "'; COMP_WORDS=(imgcast ser); COMP_CWORD=1; COMP_LINE='imgcast ser';"
                + " COMP_POINT=11; _complete_imgcast 2>/dev/null; echo \"${COMPREPLY[@]}\"; COMP_WORDS=(imgcast serve --exit); COMP_CWORD=2;"
                + " COMP_LINE='imgcast serve --exit'; COMP_POINT=20; _complete_imgcast 2>/dev/null; echo \"${COMPREPLY[@]}\"");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("serve") && r.out().contains("--exit-after-idle"), r.out());
    }
}
