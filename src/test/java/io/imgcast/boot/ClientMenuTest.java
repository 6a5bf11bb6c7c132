package io.imgcast.boot;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientMenuTest {
    private final ByteArrayOutputStream shown = new ByteArrayOutputStream();

    private ClientMenu.Choice answer(String input) throws IOException {
        return new ClientMenu(new BufferedReader(new StringReader(input)), new PrintStream(shown, true, StandardCharsets.UTF_8)).ask("52:54:00:00:00:01");
    }

    @Test
    void eachChoice() throws IOException {
        assertEquals(new ClientMenu.Choice(ClientMenu.Action.REGISTER, "pc7"), answer("1\npc7\n"));
        assertEquals(new ClientMenu.Choice(ClientMenu.Action.RECEIVE, "debian-12"), answer("2\ndebian-12\n"));
        assertEquals(new ClientMenu.Choice(ClientMenu.Action.CAPTURE, "gold"), answer(" 3 \n gold\n"));
        assertEquals(new ClientMenu.Choice(ClientMenu.Action.LOCAL, null), answer("4\n"));
        assertTrue(shown.toString(StandardCharsets.UTF_8).contains("52:54:00:00:00:01"));
    }

    @Test
    void badAnswersAreExplainedAndAskedAgain() throws IOException {
        assertEquals(new ClientMenu.Choice(ClientMenu.Action.REGISTER, "pc-2"), answer("9\n1\npc 2\npc-2\n"));
        String s = shown.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("'9' is not one of 1, 2, 3, 4"), s);
        assertTrue(s.contains("host name 'pc 2' may hold only"), s);
        assertEquals(new ClientMenu.Choice(ClientMenu.Action.CAPTURE, "ok"), answer("3\na/b\nok\n"));
    }

    @Test
    void theEndOfInputOrEndlessNonsenseBootsTheLocalDisk() throws IOException {
        assertEquals(ClientMenu.Action.LOCAL, answer("").action());
        assertEquals(ClientMenu.Action.LOCAL, answer("1\n").action(), "no name given: back to the menu, then input ends");
        assertEquals(ClientMenu.Action.LOCAL, answer("x\nx\nx\nx\nx\nx\nx\n").action());
        assertTrue(shown.toString(StandardCharsets.UTF_8).contains("booting the local disk"));
    }
}
