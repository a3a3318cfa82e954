package dev.nube.ui.functions;

import static dev.nube.engine.functions.TestRuntimes.NODE;
import static dev.nube.engine.functions.TestRuntimes.PYTHON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.Engine;
import dev.nube.engine.functions.CodeEntry;
import dev.nube.engine.functions.CreateFunctionRequest;
import dev.nube.engine.functions.FunctionConfiguration;
import dev.nube.engine.functions.FunctionService;
import dev.nube.engine.functions.FunctionSummary;
import dev.nube.engine.functions.InvokeRequest;
import dev.nube.ui.SameThreadTasks;
import dev.nube.ui.common.ConsoleContext;
import dev.nube.ui.common.UiEvents;
import dev.nube.ui.functions.code.CodeDocument;
import dev.nube.ui.functions.code.CodeViewModel;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.beans.property.SimpleStringProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Code and Configuration view models over a real engine, without a toolkit (work and callbacks on the test's
 * thread): what the file commands do to open documents and their unsaved edits, zips, deploy, and the checks the
 * configuration form makes before anything is saved; and how invocations reach the functions list.
 */
class FunctionViewModelsTest {
    private static final String REGION = "local-1";
    @TempDir
    Path dir;
    private Engine engine;

    @BeforeEach
    void open() {
        engine = Engine.open(dir.resolve("home"));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private FunctionScope scope(String name) {
        return new FunctionScope(REGION, name, engine.functions(), engine.functionCode(), engine.functionMonitor(),
                new SameThreadTasks(), new UiEvents(engine.events(), Runnable::run));
    }

    private List<String> paths(String name) {
        return engine.functionCode().files(REGION, name, null).stream().map(CodeEntry::path).toList();
    }

    private String read(String name, String path) {
        return new String(engine.functionCode().readFile(REGION, name, null, path), StandardCharsets.UTF_8);
    }

    @Test
    void fileCommandsKeepOrDropEditsAsTheySay() {
        engine.functions().create(REGION, CreateFunctionRequest.of("files", PYTHON));
        CodeViewModel code = new CodeViewModel(scope("files"), null);
        code.openMain("lambda_function.lambda_handler");
        CodeDocument main = code.selectedProperty().get();
        assertEquals("lambda_function.py", main.path(), "the handler's file opens first");
        main.textProperty().set("def lambda_handler(e, c):\n    return 1\n");
        assertEquals(List.of("lambda_function.py"), code.dirtyFiles());

        code.newFolder("lib");
        code.rename("lambda_function.py", "lib/handler.py");
        assertEquals("lib/handler.py", main.path(), "the open file follows its rename");
        assertTrue(main.dirty(), "with its unsaved edit");
        code.saveAll(() -> { }, e -> { throw new AssertionError(e); });
        assertEquals("def lambda_handler(e, c):\n    return 1\n", read("files", "lib/handler.py"));
        assertEquals(0, code.dirtyCountProperty().get());

        code.newFile("lib/data.json");
        assertEquals("lib/data.json", code.selectedProperty().get().path());
        code.newFile("lib/handler.py");
        assertTrue(code.failureProperty().get().startsWith("lib/handler.py already exists"),
                code.failureProperty().get());
        assertEquals("def lambda_handler(e, c):\n    return 1\n", read("files", "lib/handler.py"),
                "a new file never replaces an existing one");
        assertEquals(1, code.documents().stream().filter(d -> d.path().equals("lib/handler.py")).count());
        code.delete("lib");
        assertTrue(code.documents().isEmpty(), "what was inside a deleted folder is closed");
        assertEquals(List.of(), paths("files"));
        assertTrue(code.statusProperty().get().startsWith("Deleted lib"));

        engine.functionCode().writeFile(REGION, "files", "blob.bin", new byte[] {0, 1, 2, (byte) 0xff});
        code.open("blob.bin");
        assertNotNull(code.selectedProperty().get().notShown(), "a binary file is not shown as text");
        code.rename("blob.bin", "../escape.bin");
        assertFalse(code.failureProperty().get().isEmpty(), "the engine's refusal is shown");
    }

    /** Work on threads of its own; callbacks queued for the test's thread, as the FX thread would run them. */
    private static final class QueuedTasks implements dev.nube.ui.common.TaskExecutor {
        final java.util.concurrent.BlockingQueue<Runnable> callbacks = new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        public <T> Cancellable submit(java.util.concurrent.Callable<T> work, java.util.function.Consumer<? super T>
                onSuccess, java.util.function.Consumer<? super Throwable> onFailure) {
            Thread thread = new Thread(() -> {
                try {
                    T result = work.call();
                    callbacks.add(() -> onSuccess.accept(result));
                } catch (Exception e) {
                    callbacks.add(() -> onFailure.accept(e));
                }
            });
            thread.start();
            return new Cancellable() {
                @Override
                public void cancel() {
                    throw new AssertionError("not used by Deploy's cancel");
                }

                @Override
                public boolean isCancelled() {
                    return false;
                }
            };
        }

        /** Runs callbacks as they come until {@code condition}, for at most 30 s. */
        void runUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!condition.getAsBoolean()) {
                assertTrue(System.nanoTime() < deadline, "timed out");
                Runnable next = callbacks.poll(50, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (next != null) {
                    next.run();
                }
            }
        }

        @Override
        public void shutdown() {
        }
    }

    @Test
    void cancellingDeployKeepsItDisabledUntilTheInstallHasEnded() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            engine.functions().create(REGION, CreateFunctionRequest.of("cancel-deps", PYTHON));
            engine.functionCode().writeFile(REGION, "cancel-deps", "requirements.txt", ("--index-url http://127.0.0.1:"
                    + silent.getLocalPort() + "/simple/\nnube-requirement-no-index-has==1.0\n").getBytes(
                    StandardCharsets.UTF_8));
            QueuedTasks tasks = new QueuedTasks();
            CodeViewModel code = new CodeViewModel(new FunctionScope(REGION, "cancel-deps", engine.functions(),
                    engine.functionCode(), engine.functionMonitor(), tasks, new UiEvents(engine.events(),
                    Runnable::run)), null);
            AtomicInteger deployed = new AtomicInteger();
            code.deploy("cancelled", version -> deployed.incrementAndGet());
            tasks.runUntil(() -> code.deployOutput().stream().anyMatch(l -> l.startsWith("Looking in indexes")));
            assertTrue(code.installingProperty().get());

            code.cancelDeploy();

            assertTrue(code.cancellingProperty().get());
            assertTrue(code.busyProperty().get(), "Deploy stays disabled while the install ends");
            assertEquals("Cancelling\u2026", code.statusProperty().get());
            tasks.runUntil(() -> !code.busyProperty().get());
            assertFalse(code.cancellingProperty().get());
            assertFalse(code.installingProperty().get());
            assertEquals("Not deployed: cancelled, so no version was published.", code.failureProperty().get());
            assertEquals(0, deployed.get());
            assertEquals(List.of(), engine.functions().versions(REGION, "cancel-deps"));
        }
    }

    @Test
    void deployInstallsRequirementsFirstAndPublishesNothingWhenTheyCannotBeInstalled() {
        engine.functions().create(REGION, CreateFunctionRequest.of("deps", PYTHON));
        CodeViewModel code = new CodeViewModel(scope("deps"), null);
        code.newFile("requirements.txt");
        CodeDocument requirements = code.selectedProperty().get();
        requirements.textProperty().set("--index-url http://127.0.0.1:9/simple/\nnube-requirement-no-index-has==1.0\n");
        AtomicInteger deployed = new AtomicInteger();

        code.deploy("unreachable", version -> deployed.incrementAndGet());

        assertEquals(0, deployed.get());
        assertEquals(List.of(), engine.functions().versions(REGION, "deps"), "nothing was published");
        assertEquals("Not deployed: pip could not reach the package index (http://127.0.0.1:9/simple/: Connection"
                + " refused), so requirements.txt was not installed; the function's code was not changed.",
                code.failureProperty().get());
        assertEquals(code.failureProperty().get(), code.deployResultProperty().get());
        assertTrue(code.deployFailedProperty().get());
        assertFalse(requirements.dirty(), "the files were saved before the install");
        assertEquals("Packages from indexes are installed as wheels only (--only-binary=:all:), so their setup.py"
                + " is not run; a local folder or repository named in requirements.txt is still built, with its"
                + " setup.py.", code.deployOutput().get(0));
        assertTrue(code.deployOutput().get(1).startsWith("$ /usr/bin/python3 -m pip install"),
                String.join("\n", code.deployOutput()));
        assertTrue(code.deployOutput().stream().anyMatch(l -> l.contains("Connection refused")),
                String.join("\n", code.deployOutput()));
        assertFalse(code.installingProperty().get());

        requirements.textProperty().set("# nothing to install\n");
        code.deploy("fixed", version -> deployed.incrementAndGet());

        assertEquals(1, deployed.get());
        assertEquals("Published version 1.", code.deployResultProperty().get());
        assertFalse(code.deployFailedProperty().get());
        assertEquals("", code.failureProperty().get());
    }

    @Test
    void zipsRoundTripAndDeployPublishes() {
        engine.functions().create(REGION, CreateFunctionRequest.of("source", NODE));
        engine.functions().create(REGION, CreateFunctionRequest.of("target", PYTHON));
        CodeViewModel source = new CodeViewModel(scope("source"), null);
        source.newFile("lib/util.mjs");
        source.selectedProperty().get().textProperty().set("export const two = 2;\n");
        source.deploy("with util", version -> assertEquals("1", version.version()));
        assertEquals("export const two = 2;\n", read("source", "lib/util.mjs"), "deploy saved first");
        assertEquals("with util", engine.functions().versions(REGION, "source").get(0).description());

        Path zip = dir.resolve("source.zip");
        source.exportZip(zip);
        CodeViewModel target = new CodeViewModel(scope("target"), null);
        target.open("lambda_function.py");
        target.importZip(zip);
        assertTrue(target.documents().isEmpty(), "the replaced code's documents are closed");
        assertEquals(paths("source"), paths("target"));

        CodeViewModel version = new CodeViewModel(scope("source"), "1");
        assertTrue(version.readOnly());
        assertEquals("source-v1.zip", version.zipName());
        version.open("lib/util.mjs");
        assertEquals("export const two = 2;\n", version.selectedProperty().get().text());
    }

    @Test
    void theConfigurationFormChecksBeforeSaving() {
        FunctionConfiguration created = engine.functions().create(REGION, CreateFunctionRequest.of("config",
                PYTHON));
        ConfigurationViewModel form = new ConfigurationViewModel(scope("config"));
        form.load(created);
        assertFalse(form.dirtyProperty().get());

        form.addVariable();
        assertEquals("Enter a name.", form.variables().get(0).problemProperty().get());
        form.variables().get(0).keyProperty().set("_HANDLER");
        assertEquals("_HANDLER is reserved: Lambda sets it itself.", form.variables().get(0).problemProperty().get());
        form.variables().get(0).keyProperty().set("1BAD");
        assertTrue(form.variables().get(0).problemProperty().get().contains("starts with a letter"));
        form.variables().get(0).keyProperty().set("STAGE");
        form.variables().get(0).valueProperty().set("prod");
        form.addVariable();
        form.variables().get(1).keyProperty().set("STAGE");
        assertEquals("STAGE is defined twice.", form.variables().get(1).problemProperty().get());
        form.variables().get(1).keyProperty().set("BIG");
        form.variables().get(1).valueProperty().set("v".repeat(4090));
        assertEquals(4102, form.environmentBytesProperty().get());
        assertTrue(form.environmentProblemProperty().get().contains("at most 4096"));
        assertFalse(form.validProperty().get());
        String[] refused = new String[1];
        form.save(() -> { }, e -> refused[0] = e.getMessage());
        assertTrue(refused[0].contains("fix them or discard"), "an invalid form is never saved");

        form.variables().get(1).valueProperty().set("small");
        form.timeoutProperty().set("301");
        assertEquals("The timeout is a whole number of seconds from 1 to 300.", form.timeoutProblemProperty().get());
        form.timeoutProperty().set("30");
        form.handlerProperty().set("nodot");
        assertFalse(form.handlerProblemProperty().get().isEmpty());
        form.handlerProperty().set("lambda_function.lambda_handler");
        form.reserveProperty().set(true);
        form.reservedProperty().set("5");
        form.memoryProperty().set(1000);
        assertEquals(1000, form.memoryProperty().get(), "the form holds what the control gives it");
        form.memoryProperty().set(1024);
        assertTrue(form.validProperty().get() && form.dirtyProperty().get());
        form.save(() -> { }, e -> { throw new AssertionError(e); });
        FunctionConfiguration saved = engine.functions().get(REGION, "config");
        assertEquals(Map.of("STAGE", "prod", "BIG", "small"), saved.environment());
        assertEquals(30, saved.timeoutSeconds());
        assertEquals(1024, saved.memoryMb());
        assertEquals(5, saved.reservedConcurrency());
        assertFalse(form.dirtyProperty().get());

        form.reserveProperty().set(false);
        form.save(() -> { }, e -> { throw new AssertionError(e); });
        assertNull(engine.functions().get(REGION, "config").reservedConcurrency(), "unreserved again");
    }

    @Test
    void memorySizesSnapToLambdasSteps() {
        assertEquals(128, MemorySize.snap(0));
        assertEquals(128, MemorySize.snap(159));
        assertEquals(192, MemorySize.snap(160));
        assertEquals(1024, MemorySize.snap(1000));
        assertEquals(3008, MemorySize.snap(3050));
        assertTrue(MemorySize.valid(3008));
        assertFalse(MemorySize.valid(3072));
    }

    @Test
    @Tag("sandbox")
    void anInvocationUpdatesItsFunctionsRowAloneWithTheNumbersAListingGives() throws Exception {
        FunctionService functions = engine.functions();
        for (String name : List.of("alpha", "beta", "gamma")) {
            functions.create(REGION, CreateFunctionRequest.of(name, PYTHON));
        }
        engine.functionCode().writeFile(REGION, "beta", "lambda_function.py", ("def lambda_handler(event, context):\n"
                + "    if event.get('fail'):\n        raise ValueError('asked to')\n    return 1\n")
                .getBytes(StandardCharsets.UTF_8));
        AtomicInteger listings = new AtomicInteger();
        FunctionService counted = (FunctionService) Proxy.newProxyInstance(FunctionService.class.getClassLoader(),
                new Class<?>[] {FunctionService.class}, (proxy, method, args) -> {
                    if (method.getName().equals("list")) {
                        listings.incrementAndGet();
                    }
                    try {
                        return method.invoke(functions, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        FunctionsViewModel model = new FunctionsViewModel(counted, engine.functionCode(), engine.functionMonitor(),
                engine.functionSchedules(), engine.functionUrls(), engine.layers(), new ConsoleContext(
                        new SameThreadTasks(),
                        new UiEvents(engine.events(), Runnable::run), new SimpleStringProperty(REGION), null));
        List<FunctionSummary> before = List.copyOf(model.list().items());
        assertEquals(List.of(0L, 0L, 0L), before.stream().map(FunctionSummary::invocations24h).toList());

        functions.invoke(REGION, "beta", InvokeRequest.of("{}"));
        functions.invoke(REGION, "beta", InvokeRequest.of("{\"fail\": true}"));
        functions.invoke(REGION, "beta", InvokeRequest.of("{}"));
        List<FunctionSummary> after = List.copyOf(model.list().items());
        assertEquals(3, after.get(1).invocations24h());
        assertEquals(1, after.get(1).errors24h());
        assertSame(before.get(0), after.get(0), "alpha's row is untouched");
        assertSame(before.get(2), after.get(2), "gamma's row is untouched");
        assertEquals(functions.list(REGION).items(), after, "the numbers a listing gives");
        assertEquals(1, listings.get(), "the region was listed once, when the list opened");
    }
}
