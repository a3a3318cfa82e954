package dev.nube;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The engine knows nothing of the UI: no JavaFX, no ui package. So it can be tested, served and read alone. And the
 * console sees the engine only through its service interfaces and their records, enums, events and exceptions, so
 * another implementation of the services (an AWS-backed one, say) fits behind it.
 */
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

    /**
     * The Java runtime client runs inside sandboxes, on the function's JDK, with only aws-lambda-java-core and Jackson
     * beside it: it uses nothing else, and nothing of the console uses it (the engine copies its class files).
     */
    @Test
    void theJavaRuntimeClientStandsAlone() {
        classes().that().resideInAPackage("dev.nube.javaruntime..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.nube.javaruntime..", "java..",
                        "com.amazonaws.services.lambda.runtime..", "com.fasterxml.jackson..")
                .check(MAIN);
        noClasses().that().resideOutsideOfPackage("dev.nube.javaruntime..")
                .should().dependOnClassesThat().resideInAPackage("dev.nube.javaruntime..")
                .check(MAIN);
    }

    /** Pure input rules the console checks as the user types, kept in one place with the engine's own check. */
    private static final java.util.Set<String> SHARED_RULES = java.util.Set.of(
            "dev.nube.engine.functions.FunctionRules", "dev.nube.engine.functions.AliasRules");

    private static final DescribedPredicate<JavaClass> NOT_AN_ENGINE_CONTRACT = new DescribedPredicate<>(
            "are engine classes other than interfaces, records, enums, exceptions or shared rules") {
        @Override
        public boolean test(JavaClass c) {
            JavaClass top = c;
            while (top.getEnclosingClass().isPresent()) {
                top = top.getEnclosingClass().get();
            }
            boolean contract = c.isInterface() || c.isEnum() || c.isRecord() || c.isAssignableTo(Throwable.class)
                    || SHARED_RULES.contains(top.getName());
            return c.getPackageName().startsWith("dev.nube.engine") && !contract;
        }
    };

    @Test
    void theUiSeesOnlyTheEnginesContracts() {
        noClasses().that().resideInAPackage("dev.nube.ui..")
                .should().dependOnClassesThat(NOT_AN_ENGINE_CONTRACT)
                .check(MAIN);
    }
}
