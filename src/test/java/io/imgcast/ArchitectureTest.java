package io.imgcast;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package rules of ARCHITECTURE.md, checked over the compiled main classes (tests, studies
 * and probes are not imported): no cycle between packages, the pure protocol and the formats below
 * everything that drives them, and the command line and the demo at the top.
 */
class ArchitectureTest {
    /** The packages at the bottom: the protocol, the manifest format, chunking and codecs. */
    private static final String[] BOTTOM = {"io.imgcast.cast..", "io.imgcast.manifest..", "io.imgcast.chunk..", "io.imgcast.codec.."};
    /** What drives them, from the store and images up to the command line. */
    private static final String[] ABOVE = {"io.imgcast.server..", "io.imgcast.receiver..", "io.imgcast.peer..", "io.imgcast.cli..",
            "io.imgcast.store..", "io.imgcast.image..", "io.imgcast.demo.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.imgcast");
        // a rule over no classes would pass whatever the code: make sure the main classes are here
        assertTrue(classes.contain("io.imgcast.cast.Scheduler") && classes.contain("io.imgcast.cli.Main"), "main classes imported");
        assertTrue(!classes.contain("io.imgcast.ArchitectureTest"), "test classes left out");
    }

    @Test
    void noPackageCycle() {
        // one slice per package (io.imgcast.codec and io.imgcast.codec.fec apart)
        slices().matching("io.imgcast.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theProtocolFormatsChunkingAndCodecsDependOnNothingAbove() {
        noClasses().that().resideInAnyPackage(BOTTOM)
                .should().dependOnClassesThat().resideInAnyPackage(ABOVE)
                .check(classes);
    }

    @Test
    void theStoreDependsOnNoImageClass() {
        noClasses().that().resideInAPackage("io.imgcast.store..")
                .should().dependOnClassesThat().resideInAPackage("io.imgcast.image..")
                .check(classes);
    }

    @Test
    void onlyTheCommandLineAndTheDemoUseTheCommandLineAndTheDemo() {
        noClasses().that().resideOutsideOfPackages("io.imgcast.cli..", "io.imgcast.demo..")
                .should().dependOnClassesThat().resideInAnyPackage("io.imgcast.cli..", "io.imgcast.demo..")
                .check(classes);
    }
}
