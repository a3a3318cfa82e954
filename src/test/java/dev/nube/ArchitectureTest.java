package dev.nube;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine knows nothing of the UI: no JavaFX, no ui package. So it can be tested, served and read alone. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.nube");

    @Test
    void theEngineImportsNoJavaFx() {
        noClasses().that().resideInAPackage("dev.nube.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "com.sun.javafx..")
                .check(MAIN);
    }

    @Test
    void theEngineDoesNotReachIntoTheUi() {
        noClasses().that().resideInAPackage("dev.nube.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.nube.ui..", "atlantafx..", "org.kordamp..",
                        "org.controlsfx..", "org.fxmisc..", "com.techsenger..")
                .check(MAIN);
    }
}
