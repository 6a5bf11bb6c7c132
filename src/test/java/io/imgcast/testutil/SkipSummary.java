package io.imgcast.testutil;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts skipped tests and their reasons, and prints one summary at the end of the run (to the
 * test JVM's own standard error, which the build shows): a class whose set-up was skipped
 * (assumption in {@code @BeforeAll}) otherwise shows as "Tests run: 0" and passes silently.
 * Registered through META-INF/services, so every JUnit run of this project has it.
 */
public final class SkipSummary implements TestExecutionListener {
    private TestPlan plan;
    private final Map<String, Integer> byReason = new TreeMap<>();

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        count(id, reason == null || reason.isBlank() ? "disabled" : reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() != TestExecutionResult.Status.ABORTED) return;
        String reason = result.getThrowable().map(Throwable::getMessage).orElse(null);
        count(id, reason == null || reason.isBlank() ? "aborted" : reason);
    }

    /** A skipped test counts once; a skipped class counts each of its tests (at least one). */
    private synchronized void count(TestIdentifier id, String reason) {
        int n = 1;
        if (id.isContainer() && plan != null) {
            n = (int) Math.max(1, plan.getDescendants(id).stream().filter(TestIdentifier::isTest).count());
        }
        byReason.merge(reason.replace("Assumption failed: ", "").strip(), n, Integer::sum);
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        if (byReason.isEmpty()) return;
        int total = byReason.values().stream().mapToInt(Integer::intValue).sum();
        // the JVM's real standard error: the build redirects System.out/err of tests into files
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        err.println("[SKIPPED] " + total + " test(s) skipped, counting every test of a class whose set-up was skipped"
                + " (shown above as \"Tests run: 0\"):");
        byReason.forEach((reason, n) -> err.println("[SKIPPED]   " + n + " x " + reason));
        err.flush();
    }
}
