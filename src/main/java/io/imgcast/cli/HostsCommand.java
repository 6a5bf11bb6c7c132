package io.imgcast.cli;

import io.imgcast.api.ControlJson;
import io.imgcast.api.Host;
import io.imgcast.api.HostList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "hosts", mixinStandardHelpOptions = true, description = "The machines the server knows by MAC: which image each gets, in which group,"
        + " onto which disk, and what it does afterwards; and what an unknown machine gets.",
        subcommands = {HostsCommand.Add.class, HostsCommand.ListHosts.class, HostsCommand.Remove.class, HostsCommand.Default.class})
final class HostsCommand implements Runnable {
    @Override
    public void run() {
        throw new CliException(ExitCode.USAGE, "say what to do: imgcast hosts add|list|remove|default (see 'imgcast hosts --help')");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a machine, or change the one with that MAC.")
    static final class Add extends AdminCommand {
        @Option(names = "--mac", required = true, paramLabel = "MAC", description = "the machine's Ethernet address, e.g. 52:54:00:12:34:56") String mac;
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "its name (letters, digits, '.', '_', '-'; at most 64)") String name;
        @Option(names = "--image", paramLabel = "IMAGE", description = "the image it gets (default: its group's)") String image;
        @Option(names = "--group", paramLabel = "GROUP", description = "its group (add it first with 'imgcast groups add')") String group;
        @Option(names = "--disk", paramLabel = "RULE", description = "which disk gets the image: largest (the largest non-removable; default),"
                + " size:MIN-MAX, by-path:NAME, serial:S or /dev/NAME") String disk;
        @Option(names = "--then", paramLabel = "ACTION", description = "afterwards: reboot, poweroff or shell (default: nothing)") String then;
        @Option(names = "--task", paramLabel = "TASK", description = "what the machine does when it boots from the network: deploy (receive"
                + " its image; default) or 'capture NAME' (capture its disk into the store as the new image NAME; then back to deploy)") String task;
        @Option(names = "--fresh", description = "when it boots from the network, receive with --fresh (the disk is blank or to be overwritten:"
                + " it is not scanned for data already in place)") boolean fresh;

        @Override
        int run(Admin admin) throws Exception {
            Host h = admin.addHost(new Host(mac, name, image, group, disk, then, task, fresh ? Boolean.TRUE : null));
            System.out.printf("host %s (%s): image %s%s, disk %s%s; in %s%n", h.name(), h.mac(), h.image() != null ? h.image() : h.group() != null ? "of group " + h.group() : "none",
                    h.group() != null ? ", group " + h.group() : "", h.disk() != null ? h.disk() : "largest",
                    h.then() != null ? ", then " + h.then() : "", admin.where());
            if (h.task() != null || h.fresh() != null) {
                System.out.printf("  network boot: %s%s%n", h.task() != null ? h.task() : Host.DEPLOY, h.fresh() != null ? ", fresh" : "");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the known machines, and the rule for unknown ones.")
    static final class ListHosts extends AdminCommand {
        @Option(names = "--json", description = "print one JSON object") boolean json;

        @Override
        int run(Admin admin) throws Exception {
            HostList l = admin.hosts();
            if (json) {
                System.out.println(ControlJson.write(l));
                return 0;
            }
            System.out.printf("%-20s %-17s %-20s %-12s %-16s %s%n", "NAME", "MAC", "IMAGE", "GROUP", "DISK", "THEN");
            for (Host h : l.hosts()) {
                System.out.printf("%-20s %-17s %-20s %-12s %-16s %s%n", h.name(), h.mac(), h.image() != null ? h.image() : "(group's)",
                        h.group() != null ? h.group() : "-", h.disk() != null ? h.disk() : "largest", h.then() != null ? h.then() : "-");
            }
            System.out.println("unknown machines: " + l.unknownDefault());
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Forget a machine (by MAC or name).")
    static final class Remove extends AdminCommand {
        @Parameters(paramLabel = "MAC|NAME") String key;

        @Override
        int run(Admin admin) throws Exception {
            if (!admin.removeHost(key)) throw new CliException(ExitCode.NOT_FOUND, "no host with MAC or name '" + key + "' in " + admin.where());
            System.out.println("removed host " + key);
            return 0;
        }
    }

    @Command(name = "default", mixinStandardHelpOptions = true, description = "What a machine the server does not know gets: ignore (no answer;"
            + " the default), local-disk (boot its own disk), register (listed as a new host, to be given an image), menu (a network-booted"
            + " machine shows the console menu: register, receive, capture, boot the local disk), or an image's name.")
    static final class Default extends AdminCommand {
        @Parameters(paramLabel = "RULE", arity = "0..1", description = "ignore, local-disk, register, menu or IMAGE (none: print the rule)") String rule;

        @Override
        int run(Admin admin) throws Exception {
            String r = rule == null ? admin.hosts().unknownDefault() : admin.setDefault(rule);
            System.out.println("unknown machines: " + r);
            return 0;
        }
    }
}
