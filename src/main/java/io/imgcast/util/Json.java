package io.imgcast.util;

import com.fasterxml.jackson.jr.ob.JSON;
import io.imgcast.api.ControlJson;

import java.io.IOException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for command output: maps (in their order), lists, strings, numbers, booleans, null,
 * and records (snake_case, as the control API writes them, {@link ControlJson}); anything else
 * is written as its {@code toString()}. Written by jackson-jr.
 */
public final class Json {
    private Json() {}

    /** Unlike the control messages, command output keeps a map's null values ({@code "error":null}). */
    private static final JSON WITH_NULLS = ControlJson.json().with(JSON.Feature.WRITE_NULL_PROPERTIES);

    public static String write(Object v) {
        try {
            return WITH_NULLS.asString(plain(v));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getMessage(), e);
        }
    }

    /** A record as the control API writes it (its null components left out), as an ordered map. */
    private static Object record(Record r) {
        try {
            return ControlJson.readMap(ControlJson.write(r));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getMessage(), e);
        }
    }

    /** The value with keys as strings and unknown objects (paths, enums, ...) as their text. */
    private static Object plain(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Number n -> n;
            case Boolean b -> b;
            case Record r -> record(r);
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), plain(e.getValue()));
                yield out;
            }
            case List<?> l -> {
                List<Object> out = new ArrayList<>(l.size());
                for (Object o : l) out.add(plain(o));
                yield out;
            }
            default -> v.toString();
        };
    }
}
