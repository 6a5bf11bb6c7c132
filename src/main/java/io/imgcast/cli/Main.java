package io.imgcast.cli;

import io.imgcast.codec.CorruptDataException;
import io.imgcast.image.ApplyException;
import io.imgcast.image.CaptureException;
import io.imgcast.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code imgcast COMMAND ...}. Exit codes: 0 ok, 1 failed or damage found, 2 usage error. */
@Command(name = "imgcast", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Capture OS and disk images into one deduplicated store; apply, verify and move them.",
        subcommands = {CaptureCommand.class, ApplyCommand.class, ListCommand.class, InfoCommand.class, VerifyCommand.class,
                DeleteCommand.class, GcCommand.class, ExportCommand.class, ImportCommand.class,
                ServeCommand.class, ReceiveCommand.class, StatusCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        io.imgcast.util.Timing.mark("main-class-init");
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String msg = switch (ex) {
                case StoreException e -> e.getMessage();
                case CaptureException e -> e.getMessage();
                case ApplyException e -> e.getMessage();
                case CorruptDataException e -> "damaged data: " + e.getMessage();
                default -> null;
            };
            if (msg == null) {
                cmd.getErr().println("imgcast: internal error: " + ex);
                ex.printStackTrace(cmd.getErr());
                return 1;
            }
            cmd.getErr().println("imgcast: " + msg);
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"imgcast 0.1.0 (Java " + Runtime.version() + ")"};
        }
    }
}
