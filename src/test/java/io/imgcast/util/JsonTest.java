package io.imgcast.util;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Command output: the same text the hand-written writer produced for what the commands pass. */
class JsonTest {
    private static Map<String, Object> sample() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", "edition-1");
        m.put("ok", true);
        m.put("error", null);
        m.put("bytes", 123_456_789_012L);
        m.put("chunks", 42);
        m.put("ratio", 0.4567);
        m.put("tiny", 1e-7);
        m.put("big", 1e8);
        m.put("seconds", 12.0);
        m.put("text", "quote \" backslash \\ newline \n return \r tab \t unicode é ✓");
        m.put("path", Path.of("/tmp/target dir"));
        m.put("kind", Thread.State.NEW);
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of(1, 2.5, "x"));
        m.put("inner", inner);
        List<Object> withNull = new ArrayList<>(Arrays.asList(1, null, "y"));
        m.put("list", withNull);
        m.put("empty", Map.of());
        m.put("none", List.of());
        return m;
    }

    @Test
    void writesWhatTheCommandsPassAsBefore() {
        assertEquals("{\"image\":\"edition-1\",\"ok\":true,\"error\":null,\"bytes\":123456789012,\"chunks\":42,\"ratio\":0.4567,"
                + "\"tiny\":1.0E-7,\"big\":1.0E8,\"seconds\":12.0,"
                + "\"text\":\"quote \\\" backslash \\\\ newline \\n return \\r tab \\t unicode é ✓\","
                + "\"path\":\"/tmp/target dir\",\"kind\":\"NEW\",\"inner\":{\"z\":1,\"a\":[1,2.5,\"x\"]},\"list\":[1,null,\"y\"],"
                + "\"empty\":{},\"none\":[]}", Json.write(sample()));
    }

    @Test
    void recordsAreWrittenAsTheControlApiWritesThem() {
        record Row(int machineId, String state, String error) {}
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("receivers", List.of(new Row(1, "done", null)));
        assertEquals("{\"receivers\":[{\"machine_id\":1,\"state\":\"done\"}]}", Json.write(m));
    }

    @Test
    void scalars() {
        assertEquals("null", Json.write(null));
        assertEquals("\"a\"", Json.write("a"));
        assertEquals("7", Json.write(7));
        assertEquals("[true,false]", Json.write(List.of(true, false)));
    }
}
