package io.imgcast.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the man pages (troff, section 1: imgcast.1 and imgcast-COMMAND.1) and the bash
 * completion script (imgcast.bash) from the same picocli model the command line uses, so they
 * cannot drift from it. Run by {@code scripts/docs.sh}: {@code Docs OUTDIR}.
 */
public final class Docs {
    private Docs() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Docs OUTDIR");
            System.exit(ExitCode.USAGE.code);
        }
        List<Path> written = write(Path.of(args[0]));
        System.out.println("wrote " + written.size() + " files to " + args[0]);
    }

    /** Writes man/man1/*.1 and bash-completion/imgcast under {@code out}; the files written. */
    static List<Path> write(Path out) throws IOException {
        CommandLine root = Main.fullCommandLine();
        Path man = Files.createDirectories(out.resolve("man/man1"));
        List<Path> files = new ArrayList<>();
        files.add(writeString(man.resolve("imgcast.1"), manPage(root, root)));
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().userObject() instanceof CommandLine.HelpCommand) continue;
            files.add(writeString(man.resolve("imgcast-" + e.getKey() + ".1"), manPage(root, e.getValue())));
        }
        Path completion = Files.createDirectories(out.resolve("bash-completion"));
        files.add(writeString(completion.resolve("imgcast"), AutoComplete.bash("imgcast", root)));
        return files;
    }

    private static Path writeString(Path p, String s) throws IOException {
        return Files.writeString(p, s, StandardCharsets.UTF_8);
    }

    /** One command's man page. */
    static String manPage(CommandLine root, CommandLine cmd) {
        CommandSpec spec = cmd.getCommandSpec();
        boolean isRoot = cmd == root;
        String name = isRoot ? "imgcast" : "imgcast-" + spec.name();
        String version = root.getCommandSpec().version().length > 0 ? root.getCommandSpec().version()[0] : "imgcast";
        StringBuilder sb = new StringBuilder();
        sb.append(".TH ").append(name.toUpperCase()).append(" 1 \"\" \"").append(esc(version)).append("\" \"imgcast manual\"\n");
        String[] desc = spec.usageMessage().description();
        sb.append(".SH NAME\n").append(esc(name)).append(" \\- ").append(esc(firstSentence(desc))).append('\n');
        sb.append(".SH SYNOPSIS\n.nf\n")
                .append(esc(new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF)).synopsis(0).strip()))
                .append("\n.fi\n");
        sb.append(".SH DESCRIPTION\n");
        for (String d : desc) sb.append(esc(d)).append("\n.PP\n");
        if (isRoot) {
            sb.append(".SH COMMANDS\n");
            for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
                String[] sd = e.getValue().getCommandSpec().usageMessage().description();
                sb.append(".TP\n\\fB").append(esc(e.getKey())).append("\\fR\n").append(esc(firstSentence(sd))).append('\n');
            }
        }
        List<PositionalParamSpec> positionals = spec.positionalParameters();
        if (!positionals.isEmpty()) {
            sb.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : positionals) {
                sb.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n").append(esc(String.join(" ", p.renderedDescription()))).append('\n');
            }
        }
        sb.append(".SH OPTIONS\n");
        for (OptionSpec o : spec.options()) {
            sb.append(".TP\n");
            List<String> names = new ArrayList<>();
            for (String n : o.names()) names.add("\\fB" + esc(n) + "\\fR");
            sb.append(String.join(", ", names));
            if (o.arity().max() > 0) sb.append("=\\fI").append(esc(o.paramLabel())).append("\\fR");
            sb.append('\n').append(esc(String.join(" ", o.renderedDescription()))).append('\n');
        }
        sb.append(".SH EXIT STATUS\n");
        for (ExitCode c : ExitCode.values()) sb.append(".TP\n").append(c.code).append('\n').append(esc(c.meaning)).append('\n');
        sb.append(".SH ENVIRONMENT\n.TP\nIMGCAST_STORE\nthe store directory when --store is not given\n")
                .append(".TP\nIMGCAST_DEBUG\nset (non-empty): print the stack trace of a failure\n")
                .append(".TP\nIMGCAST_PROGRESS_SECONDS\nwithout a terminal, seconds between two progress lines (default 5)\n")
                .append(".TP\nIMGCAST_NO_PROGRESS\nset: no progress at all\n");
        sb.append(".SH SEE ALSO\n");
        if (isRoot) {
            List<String> refs = new ArrayList<>();
            for (String n : root.getSubcommands().keySet()) if (!n.equals("help")) refs.add("\\fB" + esc("imgcast-" + n) + "\\fR(1)");
            sb.append(String.join(", ", refs)).append('\n');
        } else {
            sb.append("\\fBimgcast\\fR(1)\n");
        }
        return sb.toString();
    }

    private static String firstSentence(String[] desc) {
        if (desc.length == 0) return "";
        String d = desc[0];
        int dot = d.indexOf(". ");
        return dot > 0 ? d.substring(0, dot + 1) : d;
    }

    /** Escapes text for troff: backslashes, hyphens, and a leading dot or quote. */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder sb = new StringBuilder();
        for (String line : t.split("\n", -1)) {
            if (!sb.isEmpty()) sb.append('\n');
            if (line.startsWith(".") || line.startsWith("'")) sb.append("\\&");
            sb.append(line);
        }
        return sb.toString();
    }
}
