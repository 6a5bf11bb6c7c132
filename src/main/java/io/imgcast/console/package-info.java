/**
 * The admin console: the page a browser opens at the server's {@code /} and the JSON routes it
 * calls, served on the control API's HTTP server ({@link io.imgcast.console.Console}).
 *
 * <p>Vocabulary: the console <b>password</b> is stored hashed in the server's state
 * ({@link io.imgcast.console.Passwords}); a <b>login</b> is a cookie with its own <b>CSRF
 * token</b> ({@code Logins}, {@code Csrf}), which every admin action must carry; an admin
 * <b>action</b> is a request of the server's admin API made through the console; the <b>live
 * view</b> is the list of machines taking part (and those that failed), sent as
 * <b>changes</b> since a version the page holds ({@code LiveFeed}); the <b>history</b> is the
 * state's sessions with their machines' results and <b>events</b>
 * ({@link io.imgcast.api.Event}). The page itself (HTML, CSS and one JavaScript module, no
 * framework and no build step) lives in {@code src/main/resources/io/imgcast/console/}.
 * The console knows the server only through {@link io.imgcast.console.Console.Backend}.
 */
package io.imgcast.console;
