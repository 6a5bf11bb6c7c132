package io.imgcast.console;

import io.imgcast.lab.LabRun;
import io.imgcast.lab.NetLab;
import io.imgcast.state.StateDb;
import io.imgcast.testutil.Cli;
import io.imgcast.testutil.MiniJson;
import io.imgcast.testutil.Needs;
import io.imgcast.testutil.TreeDiff;
import io.imgcast.testutil.TreeGen;
import io.imgcast.testutil.UnixBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real browser: Debian's chromium, headless, driven by its chromedriver, both
 * inside the lab namespace {@code r5} (an admin's PC on the segment), reaching a real server in
 * {@code s} over TLS. The admin logs in (a wrong password first), adds a group and four hosts
 * with their images, starts the session, watches four real receivers ({@code receive --auto})
 * run, removes one (the failure the page then shows first), sees the others finish and leave
 * the live list, opens the session's report, and sees the page say plainly that the server is
 * down once it stops. A machine's token, a wrong password and a request without the login's
 * CSRF token are refused on admin actions.
 *
 * <p>This JVM reaches chromedriver (on r5's loopback) through a Unix socket file
 * ({@link UnixBridge}). Screenshots go to the test's directory, and to {@code docs/} with
 * {@code -Dimgcast.screenshots=docs}.
 */
class ConsoleBrowserLabTest {
    static final String PASSWORD = "lab-console-password";

    @Test
    void anAdminRunsASessionFromTheBrowser(@TempDir Path dir) throws Exception {
        Needs.lab();
        Needs.tools("chromium", "chromedriver");
        Path treeA = dir.resolve("a");
        Path treeB = dir.resolve("b");
        Path treeC = dir.resolve("c");
        TreeGen.plain(treeA, 41, 6 << 20);
        TreeGen.copy(treeA, treeB);
        TreeGen.nextEdition(treeB, 42);
        Files.createDirectories(treeC);
        TreeGen.randomFile(treeC.resolve("big.bin"), 24 << 20, 43);
        Path store = dir.resolve("store");
        Cli.run("capture", treeA, "--name", "edition-1", "--description", "lab image, first edition", "--store", store).ok();
        Cli.run("capture", treeB, "--name", "edition-2", "--description", "lab image with this term's updates", "--store", store).ok();
        Cli.run("capture", treeC, "--name", "big-data", "--description", "course data", "--store", store).ok();
        Path pw = dir.resolve("console.pw");
        Files.writeString(pw, PASSWORD + "\n");

        try (NetLab lab = NetLab.up(NetLab.uniqueName("cb"), 5, NetLab.Options.defaults())) {
            LabRun run = new LabRun(lab, dir);
            Process server = lab.start("s", LabRun.imgcast("serve", "--store", store, "--state", dir.resolve("state"), "--interface",
                    lab.iface("s"), "--listen", lab.address("s") + ":8470", "--rate", "24Mbit", "--console-password-file", pw),
                    dir.resolve("server.log"));
            awaitLog(run, "server", "fingerprint: ", server);
            String url = run.serverUrl;

            // chromedriver on r5's loopback, reached through a socket file
            Path sock = dir.resolve("chromedriver.sock");
            lab.start("r5", List.of("/usr/bin/chromedriver", "--port=9515", "--log-path=" + dir.resolve("chromedriver.log")),
                    dir.resolve("r5-driver.log"));
            lab.start("r5", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", Cli.classPath(),
                    UnixBridge.class.getName(), sock.toString(), "9515"), dir.resolve("r5-bridge.log"));
            for (int i = 0; i < 200 && !Files.exists(sock); i++) Thread.sleep(50);
            assertTrue(Files.exists(sock), "the bridge in r5 listens: " + run.log("r5-bridge"));
            ChromeOptions o = new ChromeOptions();
            o.setBinary("/usr/bin/chromium");
            o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--ignore-certificate-errors",
                    "--window-size=1440,1000", "--user-data-dir=" + dir.resolve("chromium-profile"));
            WebDriver b = null;
            try (UnixBridge bridge = UnixBridge.tcpToUnix(sock)) {
                for (int i = 0; i < 40 && b == null; i++) {
                    try {
                        b = new RemoteWebDriver(URI.create("http://127.0.0.1:" + bridge.port()).toURL(), o);
                    } catch (RuntimeException e) {
                        if (i == 39) throw new AssertionError("no browser: " + run.log("r5-driver") + e, e);
                        Thread.sleep(250);
                    }
                }
                WebDriverWait wait = new WebDriverWait(b, Duration.ofSeconds(30));
                b.get(url);

                // a wrong password is refused; the right one logs in
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password"))).sendKeys("not the password");
                b.findElement(By.id("login-button")).click();
                wait.until(ExpectedConditions.textToBe(By.id("login-error"), "wrong password"));
                b.findElement(By.id("password")).clear();
                b.findElement(By.id("password")).sendKeys(PASSWORD);
                b.findElement(By.id("login-button")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));

                // the images in the store
                b.get(url + "#images");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("images"), "big-data"));
                String fp = server.isAlive() ? run.log("server").replaceAll("(?s).*fingerprint: ([0-9a-f]{64}).*", "$1") : "";
                assertEquals(fp, b.findElement(By.id("fingerprint")).getText());
                assertTrue(b.findElement(By.id("images")).getText().contains("lab image with this term's updates"));
                shot(b, dir, "console-images.png");

                // a group and four hosts; two of them get their own image
                b.get(url + "#hosts");
                WebElement gf = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("group-form")));
                gf.findElement(By.name("name")).sendKeys("room-12");
                new Select(gf.findElement(By.name("image"))).selectByVisibleText("edition-1");
                gf.findElement(By.name("expect")).sendKeys("4");
                gf.findElement(By.tagName("button")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("groups"), "room-12"));
                for (int i = 1; i <= 4; i++) {
                    WebElement hf = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("host-form")));
                    hf.findElement(By.name("name")).sendKeys("r" + i);
                    hf.findElement(By.name("mac")).sendKeys(mac(lab, "r" + i));
                    new Select(hf.findElement(By.name("group"))).selectByVisibleText("room-12");
                    if (i >= 3) new Select(hf.findElement(By.name("image"))).selectByVisibleText(i == 3 ? "edition-2" : "big-data");
                    hf.findElement(By.tagName("button")).click();
                    String name = "r" + i;
                    wait.until(d -> d.findElements(By.cssSelector("tr[data-host='" + name + "']")).size() == 1);
                }
                shot(b, dir, "console-hosts.png");

                // start the group's session now; the machines ask the server what to do
                b.findElement(By.cssSelector("tr[data-group='room-12'] button.start-now")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("machines")));
                List<Process> rs = new ArrayList<>();
                WebDriverWait slow = new WebDriverWait(b, Duration.ofSeconds(60));
                slow.ignoring(StaleElementReferenceException.class);
                for (int i = 1; i <= 4; i++) {
                    String h = "r" + i;
                    rs.add(lab.start(h, LabRun.imgcast("receive", "--server", url, "--auto", "--target", dir.resolve("out-" + h), "--interface",
                            lab.iface(h), "--json", "--timeout", "60"), dir.resolve(h + ".log")));
                    if (i == 3) {
                        // the group expects four: with three in, the session holds the data, and the page says "waiting"
                        slow.until(d -> d.findElements(By.cssSelector("#machines .state.waiting")).size() == 3);
                        shot(b, dir, "console-waiting.png");
                        // filtering: by image
                        b.findElement(By.id("filter")).sendKeys("edition-2");
                        slow.until(d -> d.findElements(By.cssSelector("#machines tr[data-machine]")).size() == 1
                                && d.findElement(By.cssSelector("#machines tr[data-machine]")).getAttribute("data-machine").equals("r3"));
                        b.findElement(By.id("filter")).clear();
                        b.findElement(By.id("filter")).sendKeys(" ");
                        b.findElement(By.id("filter")).sendKeys(Keys.BACK_SPACE);
                        slow.until(d -> d.findElements(By.cssSelector("#machines tr[data-machine]")).size() == 3);
                    }
                }
                slow.until(d -> d.findElements(By.cssSelector("#machines tr[data-machine='r4'] .state.receiving")).size() == 1);
                // the big image cannot be through at 24 Mbit/s yet: remove its machine (and confirm)
                slow.until(d -> {
                    d.findElement(By.cssSelector("#machines tr[data-machine='r4'] button.link")).click();
                    return true;
                });
                b.switchTo().alert().accept();
                slow.until(d -> d.findElements(By.cssSelector("#machines tr.failed[data-machine='r4']")).size() == 1);
                slow.until(d -> d.findElements(By.cssSelector("#machines tr[data-machine]")).getFirst().getAttribute("data-machine").equals("r4"));
                slow.until(d -> d.findElement(By.id("machines")).getText().contains("removed from the session by the operator"));
                shot(b, dir, "console-live.png");

                for (int i = 1; i <= 4; i++) {
                    String h = "r" + i;
                    Process p = rs.get(i - 1);
                    assertTrue(p.waitFor(90, TimeUnit.SECONDS), h + " finished: " + run.log(h));
                    assertEquals(i == 4 ? 1 : 0, p.exitValue(), h + ": " + run.log(h));
                }
                TreeDiff.assertSame(treeA, dir.resolve("out-r1"));
                TreeDiff.assertSame(treeA, dir.resolve("out-r2"));
                TreeDiff.assertSame(treeB, dir.resolve("out-r3"));
                // finished machines left the live list; the failed one stays, and the totals count them all
                slow.until(d -> d.findElements(By.cssSelector("#machines tr[data-machine]")).size() == 1);
                slow.until(ExpectedConditions.textToBePresentInElementLocated(By.id("card-machines"), "3 done · 1 failed"));
                shot(b, dir, "console-live-after.png");

                // the session's report
                b.get(url + "#sessions");
                wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#sessions a"))).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("report-counts"), "3 done"));
                assertTrue(b.findElement(By.id("report-counts")).getText().contains("1 failed"));
                String events = b.findElement(By.id("report-events")).getText();
                for (String e : List.of("session-started", "joined r1", "done r3", "failed r4")) assertTrue(events.contains(e), e + " in " + events);
                assertTrue(b.findElement(By.cssSelector("#report-machines tr[data-machine='r3']")).getText().contains("edition-2"));
                shot(b, dir, "console-report.png");

                // refused on admin actions: a machine's token, a wrong password, the cookie without the CSRF token
                String join = curl(lab, "-X", "POST", url + "api/v1/join", "-H", "Content-Type: application/json", "-d",
                        "{\"machine\":\"intruder\",\"image\":\"edition-1\"}");
                String token = (String) MiniJson.object(join).get("token");
                String start = "{\"groups\":[\"room-12\"]}";
                assertEquals("403", code(lab, url + "api/v1/admin/sessions", start, "X-Imgcast-Token: " + token));
                assertEquals("401", code(lab, url + "console/api/admin/sessions", start, "X-Imgcast-Token: " + token));
                assertEquals("401", code(lab, url + "console/api/admin/sessions", start, "Cookie: imgcast_console=" + token));
                assertEquals("401", code(lab, url + "console/login", "{\"password\":\"guess\"}"));
                Cookie c = b.manage().getCookieNamed("imgcast_console");
                assertEquals("403", code(lab, url + "console/api/admin/sessions", start, "Cookie: imgcast_console=" + c.getValue()));
                try (StateDb db = StateDb.open(dir.resolve("state"))) {
                    assertEquals(1, db.sessions().size(), "the refused requests started no session");
                }

                // the server stops: it says so, and the page says plainly that it is down
                b.get(url + "#live");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("machines")));
                server.destroy();
                assertTrue(server.waitFor(30, TimeUnit.SECONDS));
                assertTrue(run.log("server").contains("imgcast serve: stopping (signal)"), run.log("server"));
                slow.until(ExpectedConditions.visibilityOfElementLocated(By.id("down")));
                assertTrue(b.findElement(By.id("down")).getText().contains("The server is not answering"));
                assertTrue(b.findElement(By.tagName("body")).getAttribute("class").contains("stale"));
                shot(b, dir, "console-server-down.png");
            } finally {
                if (b != null) b.quit();
            }
            String log = run.log("server");
            for (String e : List.of(" joined r1 image=edition-1", " done r2 image=edition-1", " failed r4 image=big-data", "session-started",
                    "every machine on the list has finished:", "4 machine(s): 3 done, 1 failed", "session-ended session=1: the server stopped"))
                assertTrue(log.contains(e), e + " in the server's log:\n" + log);
        }
    }

    private static void awaitLog(LabRun run, String name, String text, Process p) throws InterruptedException {
        for (int i = 0; i < 600 && p.isAlive() && !run.log(name).contains(text); i++) Thread.sleep(100);
        assertTrue(run.log(name).contains(text), run.log(name));
    }

    private static String mac(NetLab lab, String host) {
        NetLab.ExecResult r = lab.run(host, Duration.ofSeconds(5), "cat", "/sys/class/net/" + lab.iface(host) + "/address");
        assertTrue(r.ok(), r.stderr());
        return r.stdout().trim();
    }

    private static String curl(NetLab lab, String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sk", "--max-time", "10"));
        cmd.addAll(List.of(args));
        NetLab.ExecResult r = lab.run("r5", Duration.ofSeconds(15), cmd.toArray(String[]::new));
        assertTrue(r.ok(), r.stderr());
        return r.stdout();
    }

    /** The HTTP status of a JSON POST from r5. */
    private static String code(NetLab lab, String url, String body, String... headers) {
        List<String> a = new ArrayList<>(List.of("-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", url, "-H", "Content-Type: application/json",
                "-d", body));
        for (String h : headers) a.addAll(List.of("-H", h));
        return curl(lab, a.toArray(String[]::new)).trim();
    }

    private static void shot(WebDriver b, Path dir, String name) throws Exception {
        byte[] png = ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve(name), png);
        String to = System.getProperty("imgcast.screenshots");
        if (to != null && !to.isBlank()) {
            Path d = Path.of(to);
            if (!d.isAbsolute()) d = Path.of(System.getProperty("user.dir")).resolve(d);
            Files.createDirectories(d);
            Files.write(d.resolve(name), png);
        }
    }
}
