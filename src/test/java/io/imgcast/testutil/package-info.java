/**
 * Test support: generated trees ({@link io.imgcast.testutil.TreeGen}), tree comparison
 * ({@link io.imgcast.testutil.TreeDiff}), the CLI in or out of process ({@link io.imgcast.testutil.Cli}),
 * external commands ({@link io.imgcast.testutil.Sh}), store snapshots ({@link io.imgcast.testutil.StoreState}).
 *
 * <p>Vocabulary: a <em>guard</em> ({@link io.imgcast.testutil.Needs}) is the check a test makes
 * for root or an external tool before it starts; as root a failed guard is a failure naming the
 * Debian package to install, without root it is a <em>skip</em>. The <em>skip summary</em>
 * ({@link io.imgcast.testutil.SkipSummary}) prints how many tests were skipped and why at the end
 * of every run.
 */
package io.imgcast.testutil;
