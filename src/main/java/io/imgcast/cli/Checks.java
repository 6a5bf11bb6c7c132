package io.imgcast.cli;

import io.imgcast.net.McastSocket;

import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** Checks of command-line values that need the system, made before a command starts any work. */
final class Checks {
    private Checks() {}

    /**
     * The interface exists, is up and has an IPv4 address; else a one-line error: an unknown name
     * is a usage error, a down interface or one without an address an error.
     */
    static void networkInterface(String name) {
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(name);
        } catch (SocketException e) {
            throw new CliException(ExitCode.ERROR, "cannot query network interface '" + name + "': " + e.getMessage());
        }
        if (nif == null) {
            throw new CliException(ExitCode.USAGE, "no network interface named '" + name + "'; 'ip -br link' lists them,"
                    + " pass one with --interface");
        }
        try {
            McastSocket.ipv4(McastSocket.iface(name));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.ERROR, e.getMessage() + "; bring it up with an IPv4 address, or choose another --interface");
        }
    }

    /** HOST:PORT of a --listen option. */
    static InetSocketAddress hostPort(String option, String value) {
        int c = value.lastIndexOf(':');
        try {
            if (c <= 0) throw new NumberFormatException();
            int port = Integer.parseInt(value.substring(c + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new InetSocketAddress(value.substring(0, c), port);
        } catch (NumberFormatException e) {
            throw new CliException(ExitCode.USAGE, option + " must be HOST:PORT, e.g. 0.0.0.0:8470; got '" + value + "'");
        }
    }
}
