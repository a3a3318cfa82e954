package dev.nube.ui.functions;

import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionAlias;
import dev.nube.engine.functions.InvokeRequest;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.Errors;
import dev.nube.ui.common.UiEvents;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Aliases tab's view model over a real engine, without a toolkit (work and callbacks on the test's thread): the
 * form's problems in the sentences the dialog shows, nothing sent while there is one, create, edit (refused when the
 * alias changed meanwhile), delete, and the invocations per version the rows show.
 */
class AliasesViewModelTest {
    private static final String REGION = "local-1";
    @TempDir
    Path dir;
    private Engine engine;

    @BeforeEach
    void open() {
        engine = EngineTestSupport.openWithoutKvm(dir.resolve("home"));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private FunctionScope scope(String name) {
        return new FunctionScope(REGION, name, engine.functions(), engine.functionCode(), engine.functionMonitor(),
                new SameThreadTasks(), new UiEvents(engine.events(), Runnable::run));
    }

    private static String problem(AliasesViewModel model, AliasForm form) {
        return model.problem(form, true).orElse("");
    }

    @Test
    void theFormIsCheckedAndAliasesAreMadeEditedAndDeleted() {
        engine.functions().create(REGION, CreateFunctionRequest.of("aliases", PYTHON));
        engine.functions().publishVersion(REGION, "aliases", "");
        engine.functions().publishVersion(REGION, "aliases", "");
        FunctionScope scope = scope("aliases");
        VersionsViewModel versions = new VersionsViewModel(scope);
        AliasesViewModel model = new AliasesViewModel(scope, versions);
        assertEquals(List.of("$LATEST", "2", "1"), model.versionChoices());
        assertEquals(List.of("2", "1"), model.additionalChoices());

        assertTrue(problem(model, new AliasForm("12", "1", "", "", "")).contains("only digits"));
        assertTrue(problem(model, new AliasForm("a b", "1", "", "", "")).contains("only letters"));
        assertTrue(problem(model, new AliasForm("live", "1", "", "2", "100")).contains("not including) 100"));
        assertTrue(problem(model, new AliasForm("live", "1", "", "2", "ten")).contains("'ten' is not"));
        assertTrue(problem(model, new AliasForm("live", "1", "", "1", "10")).contains("already the alias's"));
        assertTrue(problem(model, new AliasForm("live", "$LATEST", "", "2", "10")).contains("$LATEST is not"));
        assertEquals("", problem(model, new AliasForm("live", "1", "", "2", "30")));
        assertEquals(Map.of("2", 0.3), new AliasForm("live", "1", "", "2", "30").weights());

        AtomicReference<String> failure = new AtomicReference<>();
        model.create(new AliasForm("9", "1", "", "", ""), a -> { }, e -> failure.set(Errors.message(e)));
        assertTrue(failure.get().contains("only digits"), failure.get());
        assertTrue(engine.functions().aliases(REGION, "aliases").isEmpty(), "nothing was sent");

        AtomicReference<FunctionAlias> created = new AtomicReference<>();
        model.create(new AliasForm("live", "1", "production", "2", "30"), created::set, e -> failure.set(
                Errors.message(e)));
        assertEquals(Map.of("2", 0.3), created.get().additionalVersionWeights());
        assertEquals(List.of(created.get()), model.aliases());
        assertEquals("1 (70%), 2 (30%)", AliasesViewModel.routing(created.get()));
        assertEquals("Created alias live.", model.statusProperty().get());
        assertTrue(problem(model, new AliasForm("live", "1", "", "", "")).contains("already exists"));
        assertEquals(new AliasForm("live", "1", "production", "2", "30"), AliasesViewModel.formOf(created.get()));

        engine.functions().invoke(REGION, "aliases", InvokeRequest.of("{}").qualified("1").as(
                dev.nube.engine.functions.InvocationType.DRY_RUN));
        assertEquals("1: 0, 2: 0", model.invocations(created.get()), "a dry run runs nothing");

        engine.functions().updateAlias(REGION, "aliases", "live", null, "changed elsewhere", null, null);
        failure.set(null);
        model.update(created.get(), new AliasForm("live", "2", "", "", ""), a -> { }, e -> failure.set(
                Errors.message(e)));
        assertTrue(failure.get().contains("Revision Id"), "an edit of what was read, not of what is there now");
        model.reload();
        FunctionAlias current = model.aliases().get(0);
        AtomicReference<FunctionAlias> edited = new AtomicReference<>();
        model.update(current, new AliasForm("live", "2", "moved", "", ""), edited::set, e -> failure.set(
                Errors.message(e)));
        assertEquals("2", edited.get().functionVersion());
        assertTrue(edited.get().additionalVersionWeights().isEmpty());
        assertEquals("2", AliasesViewModel.routing(model.aliases().get(0)));

        model.delete(model.aliases().get(0));
        assertTrue(model.aliases().isEmpty());
        assertEquals("Deleted alias live.", model.statusProperty().get());
        scope.close();
    }

    @Tag("sandbox")
    @Test
    void invocationsByAliasAreCountedForTheVersionThatRan() {
        engine.functions().create(REGION, CreateFunctionRequest.of("counted", PYTHON));
        engine.functions().publishVersion(REGION, "counted", "");
        FunctionScope scope = scope("counted");
        VersionsViewModel versions = new VersionsViewModel(scope);
        AliasesViewModel model = new AliasesViewModel(scope, versions);
        AtomicReference<FunctionAlias> live = new AtomicReference<>();
        model.create(new AliasForm("live", "1", "", "", ""), live::set, e -> { throw new AssertionError(e); });
        for (int i = 0; i < 3; i++) {
            assertNull(engine.functions().invoke(REGION, "counted", InvokeRequest.of("{}").qualified("live"))
                    .error());
        }
        engine.functions().invoke(REGION, "counted", InvokeRequest.of("{}"));
        assertEquals(3L, versions.invocationsOf("1"), "counted as each invocation finished");
        assertEquals(1L, versions.invocationsOf("$LATEST"));
        assertEquals("1: 3", model.invocations(live.get()));
        scope.close();
    }

    @Test
    void anAliasUrlIsShownMadeAndDeletedWithTheAlias() {
        engine.functions().create(REGION, CreateFunctionRequest.of("linked", PYTHON));
        engine.functions().publishVersion(REGION, "linked", "");
        FunctionScope scope = scope("linked");
        VersionsViewModel versions = new VersionsViewModel(scope);
        AliasesViewModel model = new AliasesViewModel(scope, versions, engine.functionUrls());
        FunctionAlias live = engine.functions().createAlias(REGION, "linked", "live", "1", "", Map.of());
        model.reload();
        assertTrue(model.urls().isEmpty());
        model.createUrl(live);
        String address = engine.functionUrls().get(REGION, "linked", "live").url();
        assertEquals(address, model.urls().get("live"));
        assertTrue(model.statusProperty().get().contains(address), model.statusProperty().get());
        model.deleteUrl(live);
        assertTrue(model.urls().isEmpty());
        assertTrue(engine.functionUrls().find(REGION, "linked", "live").isEmpty());
        model.createUrl(live);
        model.delete(live);
        assertTrue(model.urls().isEmpty(), "the URL went with its alias");
        assertTrue(engine.functionUrls().list(REGION, "linked").isEmpty());
        scope.close();
    }
}
