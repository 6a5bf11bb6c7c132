package io.imgcast.api;

/** {@code POST /api/v1/machines/ID/done}: the machine's outcome ({@code error} when not ok) and how long it took. */
public record DoneRequest(Boolean ok, String error, Double seconds) {
    public boolean succeeded() {
        return Boolean.TRUE.equals(ok);
    }
}
