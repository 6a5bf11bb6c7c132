package io.imgcast.packaging;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UnitTest {
    private static final String UNIT = """
            [Unit]
            Environment=IGNORED=1
            [Service]
            Environment=A=x
            Environment=EXTRA=
            ExecStartPre=/bin/sh -c 'test -n "$$A" || exit 1'
            ExecStart=/usr/bin/tool run --a ${A} \\
                --b ${B} $EXTRA
            """;

    @Test
    void bracedIsOneArgumentAndBareIsSplit() {
        Unit u = Unit.parse(UNIT);
        assertEquals(Map.of("A", "x", "EXTRA", ""), u.environment());
        assertEquals(List.of("A", "B", "EXTRA"), List.copyOf(u.variables()));
        assertEquals(List.of("/usr/bin/tool", "run", "--a", "x", "--b", ""), u.expand(u.environment()));
        assertEquals(List.of("/usr/bin/tool", "run", "--a", "y z", "--b", "2", "--p", "1", "--q"),
                u.expand(Map.of("A", "y z", "B", "2", "EXTRA", " --p 1  --q ")));
    }

    @Test
    void preScriptIsWhatTheShellGets() {
        assertEquals("test -n \"$A\" || exit 1", Unit.parse(UNIT).preScript());
        assertThrows(IllegalArgumentException.class, () -> Unit.parse("[Service]\nExecStartPre=/bin/sh -c 'echo $A'\nExecStart=/x\n").preScript());
        assertThrows(IllegalArgumentException.class, () -> Unit.parse("[Service]\nExecStart=/x\n").preScript());
    }

    @Test
    void environmentFileSkipsCommentsAndUnquotes() {
        assertEquals(Map.of("A", "1", "B", "two words", "C", ""),
                Unit.environmentFile("# c\n\nA=1\n#D=4\nB=\"two words\"\nC=\n"));
        assertThrows(IllegalArgumentException.class, () -> Unit.environmentFile("export A\n"));
    }

    @Test
    void wordsItCannotExpandAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Unit.parse("[Service]\nExecStart=/x --a=${A}\n").expand(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Unit.parse("[Service]\nExecStart=/x \"a b\"\n").expand(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Unit.parse("[Service]\nType=exec\n"));
    }
}
