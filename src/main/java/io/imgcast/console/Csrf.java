package io.imgcast.console;

import io.imgcast.trust.Tokens;

import java.net.URI;

/**
 * Cross-site request forgery: a page of another site can make the browser send the console's
 * cookie, but it cannot read the console's pages, so it cannot know the login's CSRF token. A
 * request that changes anything must carry that token in the {@link #HEADER} header (a custom
 * header also forces a cross-origin preflight, which the console never grants), and when the
 * browser names the request's origin it must be the console's own. The cookie is also
 * {@code SameSite=Strict}. Pure.
 */
final class Csrf {
    static final String HEADER = "X-Csrf-Token";

    private Csrf() {}

    /**
     * Why a changing request is refused, or null when it may go: {@code expected} is the login's
     * token, {@code given} the header's, {@code origin} the Origin header (null when absent),
     * {@code host} the Host header.
     */
    static String refusal(String expected, String given, String origin, String host) {
        if (given == null) return "this action needs the console's CSRF token (reload the page)";
        if (!Tokens.same(expected, given)) return "the CSRF token does not match this login (reload the page)";
        if (origin != null) {
            String originHost;
            try {
                URI u = URI.create(origin);
                originHost = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            } catch (IllegalArgumentException e) {
                return "the request's origin is unreadable";
            }
            if (originHost == null || host == null || !originHost.equalsIgnoreCase(host)) {
                return "the request comes from another site (" + origin + ")";
            }
        }
        return null;
    }
}
