package io.imgcast.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSON;
import com.fasterxml.jackson.jr.ob.JSONObjectException;
import com.fasterxml.jackson.jr.ob.JacksonJrExtension;
import com.fasterxml.jackson.jr.ob.api.ExtensionContext;
import com.fasterxml.jackson.jr.ob.api.ReaderWriterModifier;
import com.fasterxml.jackson.jr.ob.api.ValueReader;
import com.fasterxml.jackson.jr.ob.impl.BeanPropertyIntrospector;
import com.fasterxml.jackson.jr.ob.impl.JSONReader;
import com.fasterxml.jackson.jr.ob.impl.JSONWriter;
import com.fasterxml.jackson.jr.ob.impl.POJODefinition;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON mapping of the control API: records are written with their components in
 * declaration order under snake_case names ({@code machineId} → {@code "machine_id"}), null
 * components left out; read back by those names, unknown names ignored. Enums are written and
 * read by their {@code toString()} (the wire names); a number field given anything but a number
 * (or null) is an error, as is an unknown enum name. Maps, lists, strings, numbers and booleans
 * are written as jackson-jr writes them.
 *
 * <p>The renaming goes through jackson-jr's {@code POJODefinition} (its {@code impl} package);
 * {@code ControlJsonTest} pins the bytes of every message, so a jackson-jr upgrade that changes
 * that contract fails there first.
 */
public final class ControlJson {
    private ControlJson() {}

    private static final JSON JSON_ = JSON.builder().register(new JacksonJrExtension() {
        @Override
        protected void register(ExtensionContext ctx) {
            ctx.insertModifier(new SnakeRecords());
        }
    }).build();

    /** The configured mapper, for writers that stream (jackson-jr's {@link JSON} is immutable and thread-safe). */
    public static JSON json() {
        return JSON_;
    }

    public static String write(Object value) {
        try {
            return JSON_.asString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getMessage(), e);
        }
    }

    public static byte[] bytes(Object value) {
        return write(value).getBytes(StandardCharsets.UTF_8);
    }

    /** Reads one message; malformed JSON or a wrong type of value is an {@link IOException}. */
    public static <T> T read(Class<T> type, String text) throws IOException {
        T v = JSON_.beanFrom(type, text);
        if (v == null) throw new IOException("empty message where a " + type.getSimpleName() + " was expected");
        return v;
    }

    public static <T> T read(Class<T> type, byte[] body) throws IOException {
        return read(type, new String(body, StandardCharsets.UTF_8));
    }

    /** Reads a JSON object as a map (for messages without a record, such as error bodies). */
    public static Map<String, Object> readMap(String text) throws IOException {
        return JSON_.mapFrom(text);
    }

    /** {@code machineId} → {@code machine_id}. */
    static String snake(String name) {
        StringBuilder b = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));
            else b.append(c);
        }
        return b.toString();
    }

    /**
     * Renames records' properties. jackson-jr sorts properties by name and calls them by the
     * component names; for writing they get the snake_case name in component order, for
     * reading they keep the component name (the canonical constructor is matched by it) with
     * the snake_case name as an alias.
     */
    private static final class SnakeRecords extends ReaderWriterModifier {
        @Override
        public POJODefinition pojoDefinitionForSerialization(JSONWriter w, Class<?> type) {
            return renamed(BeanPropertyIntrospector.instance().pojoDefinitionForSerialization(w, type), type, true);
        }

        @Override
        public POJODefinition pojoDefinitionForDeserialization(JSONReader r, Class<?> type) {
            return renamed(BeanPropertyIntrospector.instance().pojoDefinitionForDeserialization(r, type), type, false);
        }

        private static POJODefinition renamed(POJODefinition def, Class<?> type, boolean writing) {
            if (def == null || !type.isRecord()) return def;
            Map<String, POJODefinition.Prop> byName = new HashMap<>();
            for (POJODefinition.Prop p : def.getProperties()) byName.put(p.name, p);
            List<POJODefinition.Prop> out = new ArrayList<>();
            for (RecordComponent rc : type.getRecordComponents()) {
                POJODefinition.Prop p = byName.get(rc.getName());
                if (p == null) continue;
                String snake = snake(p.name);
                out.add(writing
                        ? new POJODefinition.Prop(snake, p.field, p.setter, p.getter, p.isGetter, null)
                        : new POJODefinition.Prop(p.name, p.field, p.setter, p.getter, p.isGetter,
                                snake.equals(p.name) ? null : List.of(snake)));
            }
            return def.withProperties(out);
        }

        @Override
        public ValueReader modifyValueReader(JSONReader r, Class<?> type, ValueReader reader) {
            if (type.isEnum()) return new WireEnum(type);
            if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class || type == double.class) {
                return new StrictNumber(type, reader);
            }
            return reader;
        }
    }

    /** An enum by its wire name ({@code toString()}). */
    private static final class WireEnum extends ValueReader {
        private final Map<String, Object> byName = new HashMap<>();

        WireEnum(Class<?> type) {
            super(type);
            for (Object c : type.getEnumConstants()) byName.put(c.toString(), c);
        }

        @Override
        public Object read(JSONReader r, JsonParser p) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) return null;
            Object v = p.currentToken() == JsonToken.VALUE_STRING ? byName.get(p.getText()) : null;
            if (v == null) {
                throw new JSONObjectException("expected one of " + byName.keySet() + " for " + _valueType.getSimpleName()
                        + ", got " + _tokenDesc(p));
            }
            return v;
        }
    }

    /** A number, refusing strings and other values rather than reading them as 0. */
    private static final class StrictNumber extends ValueReader {
        private final ValueReader inner;

        StrictNumber(Class<?> type, ValueReader inner) {
            super(type);
            this.inner = inner;
        }

        @Override
        public Object read(JSONReader r, JsonParser p) throws IOException {
            JsonToken t = p.currentToken();
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NULL) {
                throw new JSONObjectException("expected a number, got " + _tokenDesc(p));
            }
            return inner.read(r, p);
        }
    }
}
