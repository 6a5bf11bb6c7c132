package io.imgcast.cli;

import io.imgcast.api.ControlJson;
import io.imgcast.api.GroupList;
import io.imgcast.api.HostGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "groups", mixinStandardHelpOptions = true, description = "Groups of machines: an image for their members, and when a session of the"
        + " group starts sending (--expect N machines in, or --wait S seconds).",
        subcommands = {GroupsCommand.Add.class, GroupsCommand.ListGroups.class, GroupsCommand.Remove.class})
final class GroupsCommand implements Runnable {
    @Override
    public void run() {
        throw new CliException(ExitCode.USAGE, "say what to do: imgcast groups add|list|remove (see 'imgcast groups --help')");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a group, or change the one with that name.")
    static final class Add extends AdminCommand {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--image", paramLabel = "IMAGE", description = "image of the members that name none") String image;
        @Option(names = "--expect", paramLabel = "N", description = "a session starts sending once N members are in ...") Integer expect;
        @Option(names = "--wait", paramLabel = "SECONDS", description = "... or this long after it started (neither: at once)") Integer waitSeconds;

        @Override
        int run(Admin admin) throws Exception {
            HostGroup g = admin.addGroup(new HostGroup(name, image, expect, waitSeconds, null));
            System.out.printf("group %s: image %s, %s; in %s%n", g.name(), g.image() != null ? g.image() : "(the hosts')", readiness(g), admin.where());
            return 0;
        }
    }

    static String readiness(HostGroup g) {
        if (g.expect() == null && g.waitSeconds() == null) return "starts at once";
        if (g.waitSeconds() == null) return "starts when " + g.expect() + " are in";
        if (g.expect() == null) return "starts " + g.waitSeconds() + " s after the session started";
        return "starts when " + g.expect() + " are in or " + g.waitSeconds() + " s after the session started";
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the groups and their members.")
    static final class ListGroups extends AdminCommand {
        @Option(names = "--json", description = "print one JSON object") boolean json;

        @Override
        int run(Admin admin) throws Exception {
            GroupList l = admin.groups();
            if (json) {
                System.out.println(ControlJson.write(l));
                return 0;
            }
            for (HostGroup g : l.groups()) {
                System.out.printf("%-16s image %-20s %s; members: %s%n", g.name(), g.image() != null ? g.image() : "-", readiness(g),
                        g.members() == null || g.members().isEmpty() ? "none" : String.join(", ", g.members()));
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a group that has no members.")
    static final class Remove extends AdminCommand {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        int run(Admin admin) throws Exception {
            if (!admin.removeGroup(name)) throw new CliException(ExitCode.NOT_FOUND, "no group named '" + name + "' in " + admin.where());
            System.out.println("removed group " + name);
            return 0;
        }
    }
}
