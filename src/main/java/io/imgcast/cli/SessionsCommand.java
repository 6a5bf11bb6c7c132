package io.imgcast.cli;

import io.imgcast.api.ControlJson;
import io.imgcast.api.Session;
import io.imgcast.api.SessionList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "sessions", mixinStandardHelpOptions = true, description = "Sessions: the machines one server run serves together. Start groups"
        + " (their machines may then join; data shared by their images crosses the network once), stop one (admit no one new), cancel one"
        + " (its machines abort and report failed), and list them with their machines' results.",
        subcommands = {SessionsCommand.Start.class, SessionsCommand.ListSessions.class, SessionsCommand.Show.class, SessionsCommand.Stop.class,
                SessionsCommand.Cancel.class})
final class SessionsCommand implements Runnable {
    @Override
    public void run() {
        throw new CliException(ExitCode.USAGE, "say what to do: imgcast sessions start|list|show|stop|cancel (see 'imgcast sessions --help')");
    }

    static void print(Session s) {
        System.out.printf("session %d [%s] groups %s, started %s%s%n", s.id(), s.state(), String.join(",", s.groups()), s.started(),
                s.ended() != null ? ", ended " + s.ended() : "");
        if (s.machines() != null) {
            for (Session.Result r : s.machines()) {
                System.out.printf("  %-20s %-17s %-20s %-9s%s%s%n", r.name(), r.mac() != null ? r.mac() : "-", r.image(), r.state(),
                        r.seconds() != null ? String.format(" %.1f s", r.seconds()) : "", r.error() != null ? "  " + r.error() : "");
            }
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start these groups together in one session (or add them to the"
            + " waiting or running one); their machines may join.")
    static final class Start extends AdminCommand {
        @Parameters(paramLabel = "GROUP", arity = "1..*") List<String> groups;
        @Option(names = "--json", description = "print one JSON object") boolean json;

        @Override
        int run(Admin admin) throws Exception {
            Session s = admin.startSession(groups);
            if (json) System.out.println(ControlJson.write(s));
            else print(s);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the sessions, newest first.")
    static final class ListSessions extends AdminCommand {
        @Option(names = "--json", description = "print one JSON object") boolean json;

        @Override
        int run(Admin admin) throws Exception {
            SessionList l = admin.sessions();
            if (json) System.out.println(ControlJson.write(l));
            else l.sessions().forEach(SessionsCommand::print);
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a session and its machines' results.")
    static final class Show extends AdminCommand {
        @Parameters(paramLabel = "ID") long id;
        @Option(names = "--json", description = "print one JSON object") boolean json;

        @Override
        int run(Admin admin) throws Exception {
            Session s = admin.session(id);
            if (s == null) throw new CliException(ExitCode.NOT_FOUND, "no session " + id + " in " + admin.where());
            if (json) System.out.println(ControlJson.write(s));
            else print(s);
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Admit no one new to the session; its machines finish.")
    static final class Stop extends AdminCommand {
        @Parameters(paramLabel = "ID") long id;

        @Override
        int run(Admin admin) throws Exception {
            print(admin.endSession(id, "stop"));
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel the session: its machines abort and report failed.")
    static final class Cancel extends AdminCommand {
        @Parameters(paramLabel = "ID") long id;

        @Override
        int run(Admin admin) throws Exception {
            print(admin.endSession(id, "cancel"));
            return 0;
        }
    }
}
