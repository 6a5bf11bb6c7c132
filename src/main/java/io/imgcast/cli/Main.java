package io.imgcast.cli;

import io.imgcast.codec.CorruptDataException;
import io.imgcast.image.ApplyException;
import io.imgcast.image.CaptureException;
import io.imgcast.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code imgcast COMMAND ...}. Exit codes: 0 ok, 1 failed or damage found, 2 usage error. */
@Command(name = "imgcast", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Capture OS and disk images into one deduplicated store; apply, verify and move them.")
public final class Main implements Runnable {
    /**
     * The subcommands, in help order. Only the one being run is given to picocli (which reflects
     * over every command it is given, a good part of start-up time); help, errors and unknown
     * commands get all of them.
     */
    private static final String[] COMMANDS = {"capture", "apply", "list", "info", "verify", "repair", "delete", "gc", "export", "import",
            "serve", "receive", "status", "send", "relay", "demo", "help"};

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
            case "send" -> new SendCommand();
            case "relay" -> new RelayCommand();
            case "demo" -> new DemoCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> null;
        };
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        io.imgcast.util.Timing.mark("main-class-init");
        if (args.length > 0) io.imgcast.util.Warmup.start(args[0]);
        System.exit(run(args));
    }

    public static int run(String... args) {
        Object only = args.length > 0 && !args[0].equals("help") ? command(args[0]) : null;
        if (only != null) {
            if (only instanceof FastCli.Bindable b && only instanceof java.util.concurrent.Callable<?> fast && b.bindFast(args)) {
                io.imgcast.util.Timing.mark("fastcli");
                java.io.PrintWriter err = new java.io.PrintWriter(System.err, true);
                try {
                    Object rc = fast.call();
                    return rc instanceof Integer i ? i : 0;
                } catch (Exception ex) {
                    return failure(ex, err);
                } finally {
                    err.flush();
                }
            }
            only = command(args[0]); // a fresh one for picocli: bind may have set fields
        }
        CommandLine cl = new CommandLine(new Main());
        io.imgcast.util.Timing.mark("pc-root");
        if (only != null) {
            cl.addSubcommand(args[0], only);
        } else {
            for (String name : COMMANDS) cl.addSubcommand(name, command(name));
        }
        io.imgcast.util.Timing.mark("pc-sub");
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failure(ex, cmd.getErr()));
        return cl.execute(args);
    }

    /** Reports a command's failure: a one-line message for the expected kinds, else the stack trace; exit code 1. */
    static int failure(Exception ex, java.io.PrintWriter err) {
        String msg = switch (ex) {
            case StoreException e -> e.getMessage();
            case CaptureException e -> e.getMessage();
            case ApplyException e -> e.getMessage();
            case CorruptDataException e -> "damaged data: " + e.getMessage();
            default -> null;
        };
        if (msg == null) {
            err.println("imgcast: internal error: " + ex);
            ex.printStackTrace(err);
            return 1;
        }
        err.println("imgcast: " + msg);
        return 1;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
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
