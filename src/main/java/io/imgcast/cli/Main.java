package io.imgcast.cli;

import io.imgcast.chunk.Sha256;
import io.imgcast.codec.CorruptDataException;
import io.imgcast.codec.fec.GF256;
import io.imgcast.image.ApplyException;
import io.imgcast.image.CaptureException;
import io.imgcast.image.TargetRefusedException;
import io.imgcast.store.StoreException;
import io.imgcast.util.Timing;
import io.imgcast.util.Warmup;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Entry point: {@code imgcast COMMAND ...}. Exit statuses are the {@link ExitCode} table. An
 * expected failure is one line on standard error saying what to do next; only an internal error
 * (a bug) says so and, with {@code IMGCAST_DEBUG=1} or {@code --debug}, prints its stack trace.
 */
@Command(name = "imgcast", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Capture OS and disk images into one deduplicated store; apply, verify and move them; deploy them to many"
                + " machines over multicast.",
        footer = {"", "Sizes are in bytes (2GiB, 2GB, 512MiB), network rates in bits per second (950Mbit, 1Gbit);"
                + " see 'imgcast help COMMAND'. Set IMGCAST_DEBUG=1 for stack traces of internal errors."})
public final class Main implements Callable<Integer> {
    /**
     * The subcommands, in help order. Only the one being run is given to picocli (which reflects
     * over every command it is given, a good part of start-up time); help, errors and unknown
     * commands get all of them.
     */
    private static final String[] COMMANDS = {"capture", "apply", "list", "info", "verify", "repair", "delete", "gc", "export", "import",
            "serve", "receive", "status", "console", "hosts", "groups", "sessions", "send", "keygen", "relay", "boot", "demo", "help"};

    // A plain switch, not a map of constructor references: the JDK 25 AOT cache assembler
    // crashes on archived lambdas that reach picocli's pre-Java-6 class files.
    private static Object command(String name) {
        return switch (name) {
            case "capture" -> new CaptureCommand();
            case "apply" -> new ApplyCommand();
            case "list" -> new ListCommand();
            case "info" -> new InfoCommand();
            case "verify" -> new VerifyCommand();
            case "repair" -> new RepairCommand();
            case "delete" -> new DeleteCommand();
            case "gc" -> new GcCommand();
            case "export" -> new ExportCommand();
            case "import" -> new ImportCommand();
            case "serve" -> new ServeCommand();
            case "receive" -> new ReceiveCommand();
            case "status" -> new StatusCommand();
            case "console" -> new ConsoleCommand();
            case "hosts" -> new HostsCommand();
            case "groups" -> new GroupsCommand();
            case "sessions" -> new SessionsCommand();
            case "send" -> new SendCommand();
            case "keygen" -> new KeygenCommand();
            case "relay" -> new RelayCommand();
            case "boot" -> new BootCommand();
            case "demo" -> new DemoCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> null;
        };
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Timing.mark("main-class-init");
        if (args.length > 0) Warmup.start(args[0]);
        System.exit(run(args));
    }

    public static int run(String... args) {
        boolean debug = System.getenv("IMGCAST_DEBUG") != null && !System.getenv("IMGCAST_DEBUG").isEmpty();
        if (Arrays.asList(args).contains("--debug")) {
            debug = true;
            args = Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        }
        boolean trace = debug;
        Object only = args.length > 0 && !args[0].equals("help") ? command(args[0]) : null;
        if (only != null) {
            if (only instanceof FastCli.Bindable b && only instanceof Callable<?> fast && b.bindFast(args)) {
                Timing.mark("fastcli");
                PrintWriter err = new PrintWriter(System.err, true);
                try {
                    Object rc = fast.call();
                    return rc instanceof Integer i ? i : 0;
                } catch (Exception ex) {
                    return failure(ex, err, trace);
                } finally {
                    err.flush();
                }
            }
            only = command(args[0]); // a fresh one for picocli: bind may have set fields
        }
        CommandLine cl = only != null ? commandLine(args[0], only) : fullCommandLine();
        Timing.mark("pc-sub");
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failure(ex, cmd.getErr(), trace));
        cl.setParameterExceptionHandler(Main::usageError);
        return cl.execute(args);
    }

    /** The root command with every subcommand, as help, the man pages and the completion script see it. */
    static CommandLine fullCommandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (String name : COMMANDS) cl.addSubcommand(name, command(name));
        withExitCodes(cl);
        return cl;
    }

    private static CommandLine commandLine(String name, Object command) {
        CommandLine cl = new CommandLine(new Main());
        Timing.mark("pc-root");
        cl.addSubcommand(name, command);
        withExitCodes(cl);
        return cl;
    }

    /** Every command's help ends with the exit code table. */
    private static void withExitCodes(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCode.helpList());
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) continue;
            sub.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCode.helpList());
        }
    }

    /** A usage error: picocli's message and where to find help, not the whole usage text; exit 2. */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("imgcast: " + ex.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            String name = cmd.getCommandSpec().qualifiedName();
            err.println("see '" + name + " --help'");
        }
        err.flush();
        return ExitCode.USAGE.code;
    }

    /** A failure and its exit status, as the user sees it. */
    record Failure(ExitCode exit, String message, boolean internal) {}

    /**
     * Classifies what a command threw. The project's own exceptions carry messages written for the
     * user; so do IllegalArgumentExceptions (its convention for bad input), and I/O errors name
     * the file and the cause. Anything else is an internal error.
     */
    static Failure classify(Throwable ex) {
        return switch (ex) {
            case CliException e -> new Failure(e.exit, e.getMessage(), false);
            case TargetRefusedException e -> new Failure(ExitCode.REFUSED, e.getMessage(), false);
            case CorruptDataException e -> new Failure(ExitCode.DAMAGE, "damaged data: " + e.getMessage(), false);
            case StoreException e -> new Failure(ExitCode.ERROR, e.getMessage(), false);
            case CaptureException e -> new Failure(ExitCode.ERROR, e.getMessage(), false);
            case ApplyException e -> new Failure(ExitCode.ERROR, e.getMessage(), false);
            case InterruptedException e -> new Failure(ExitCode.INTERRUPTED, "interrupted", false);
            case ConnectException e -> new Failure(ExitCode.ERROR, "cannot connect: " + e.getMessage(), false);
            case HttpTimeoutException e -> new Failure(ExitCode.ERROR, "no answer in time: " + e.getMessage(), false);
            case UncheckedIOException e -> new Failure(ExitCode.ERROR, e.getCause().toString(), false);
            case IOException e -> new Failure(ExitCode.ERROR, e.toString(), false);
            case IllegalArgumentException e when e.getMessage() != null -> new Failure(ExitCode.ERROR, e.getMessage(), false);
            default -> new Failure(ExitCode.ERROR, "internal error: " + ex, true);
        };
    }

    /** Reports a command's failure in one line (a stack trace only with IMGCAST_DEBUG); its exit status. */
    static int failure(Throwable ex, PrintWriter err, boolean trace) {
        Failure f = classify(ex);
        err.println("imgcast: " + f.message());
        if (trace) {
            ex.printStackTrace(err);
        } else if (f.internal()) {
            err.println("imgcast: this is a bug; run again with IMGCAST_DEBUG=1 (or --debug) for the stack trace, and report it");
        }
        err.flush();
        return f.exit().code;
    }

    /** Bare {@code imgcast}: the usage on standard error, exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.USAGE.code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"imgcast 0.1.0 (Java " + Runtime.version() + ")",
                    "FEC kernel: " + io.imgcast.codec.fec.GF256.kernel(),
                    "SHA-256: " + io.imgcast.chunk.Sha256.implementation()};
        }
    }
}
