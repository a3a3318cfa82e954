package dev.nube.bench;

import dev.nube.engine.Engine;
import dev.nube.engine.compute.instances.Instance;
import dev.nube.engine.compute.instances.InstanceState;
import dev.nube.engine.compute.instances.InstanceStateChanged;
import dev.nube.engine.functions.FunctionSummary;
import dev.nube.engine.functions.InvokeRequest;
import dev.nube.engine.store.DocumentStore;
import dev.nube.engine.store.Json;
import dev.nube.engine.store.ResourceChanged;
import dev.nube.engine.store.ResourceKind;
import dev.nube.ui.common.TaskExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javafx.collections.ObservableList;
import javafx.scene.Scene;
import javafx.scene.control.TableView;

/**
 * Bursts of engine events over tables of 10,000 rows, for the tables suite: invocations of a few functions on the
 * Functions page, and state changes of a few instances on the Instances page, each timed as the FX-thread work they
 * cost ({@link FxClock}: every event handler, every background task's callback, and the CSS and layout of the pulses
 * after them); and, for the baseline, a bare table's row replaced with {@code set(i, x)}, one pulse after each,
 * timed the same way. Bench thread; the clock adds on the FX thread.
 */
final class EventBursts {
    private EventBursts() {
    }

    /**
     * Times what the FX thread does while switched on: the runnables handed to it (engine events from the UI adapter,
     * callbacks of background tasks, a bare table's row updates), and the CSS and layout of each pulse that follows
     * such work, from the scene's pre-layout to its post-layout listeners (drawing the frame is left out; pulses with
     * no timed work before them are the page's own, such as an animation elsewhere, and are not counted). The time is
     * the FX thread's CPU time, so that other work on the machine (the engine's reads, other processes) does not
     * count. Switched and read from the bench's thread; the times are added on the FX thread.
     */
    static final class FxClock {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private volatile boolean on;
        private final AtomicLong workNanos = new AtomicLong();
        private final AtomicLong layoutNanos = new AtomicLong();
        private final AtomicInteger events = new AtomicInteger();
        private final AtomicInteger callbacks = new AtomicInteger();
        private final AtomicInteger pulses = new AtomicInteger();
        private long pulseStart; // FX thread only
        private boolean workSincePulse; // FX thread only

        /** Starts timing the CSS and layout of {@code scene}'s pulses (call on the FX thread). */
        void scene(Scene scene) {
            scene.addPreLayoutPulseListener(() -> pulseStart = THREADS.getCurrentThreadCpuTime());
            scene.addPostLayoutPulseListener(() -> {
                if (on && workSincePulse) {
                    layoutNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - pulseStart);
                    pulses.incrementAndGet();
                }
                workSincePulse = false;
            });
        }

        void start() {
            workNanos.set(0);
            layoutNanos.set(0);
            events.set(0);
            callbacks.set(0);
            pulses.set(0);
            on = true;
        }

        void stop() {
            on = false;
        }

        /** For the UI adapter: runs an engine event's handlers on the FX thread. */
        void event(Runnable handlers) {
            javafx.application.Platform.runLater(() -> time(handlers, events));
        }

        private void time(Runnable work, AtomicInteger counter) {
            if (!on) {
                work.run();
                return;
            }
            long t0 = THREADS.getCurrentThreadCpuTime();
            work.run();
            workNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - t0);
            counter.incrementAndGet();
            workSincePulse = true;
        }

        /** Runs, with their callbacks timed on the FX thread. */
        TaskExecutor timing(TaskExecutor tasks) {
            return new TaskExecutor() {
                @Override
                public <T> Cancellable submit(Callable<T> work, Consumer<? super T> onSuccess,
                                              Consumer<? super Throwable> onFailure) {
                    return tasks.submit(work, result -> time(() -> onSuccess.accept(result), callbacks),
                            error -> time(() -> onFailure.accept(error), callbacks));
                }

                @Override
                public void shutdown() {
                    tasks.shutdown();
                }
            };
        }

        /** Waits until no timed work has come for a while (reads still under way have answered, pulses are done). */
        void awaitQuiet() throws InterruptedException {
            int seen = -1;
            while (seen != events.get() + callbacks.get() + pulses.get()) {
                seen = events.get() + callbacks.get() + pulses.get();
                Thread.sleep(300);
            }
        }

        Burst burst(int published) {
            return new Burst(published, events.get(), callbacks.get(), pulses.get(), workNanos.get() / 1e6,
                    layoutNanos.get() / 1e6);
        }
    }

    /**
     * What a burst cost on the FX thread: the events published; the event runs, task callbacks and pulses timed;
     * the time of those runs and callbacks, and of the pulses' CSS and layout.
     */
    record Burst(int published, int eventRuns, int callbacks, int pulses, double workMs, double layoutMs) {
        double fxMs() {
            return workMs + layoutMs;
        }

        double perEvent() {
            return fxMs() / published;
        }
    }

    /** Invokes each function {@code each} times, one thread per function, until the table shows the last counts. */
    static Burst invocations(Engine engine, String region, FxClock clock, TableView<FunctionSummary> table,
                             List<String> names, int each) throws Exception {
        clock.start();
        List<Thread> threads = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        for (String name : names) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    try {
                        engine.functions().invoke(region, name, InvokeRequest.of("{}"));
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                }
            }, "bench-invoke-" + name);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " invocations failed: is the sandbox usable here?");
        }
        Map<String, Long> expected = new LinkedHashMap<>();
        for (FunctionSummary row : engine.functions().list(region).items()) {
            if (names.contains(row.configuration().name())) {
                expected.put(row.configuration().name(), row.invocations24h());
            }
        }
        TablesBenchmark.waitFor("the last counts in the functions table", () -> table.getItems().stream()
                .filter(s -> expected.containsKey(s.configuration().name()))
                .allMatch(s -> s.invocations24h() == expected.get(s.configuration().name())));
        clock.awaitQuiet();
        clock.stop();
        return clock.burst(names.size() * each);
    }

    static String instanceId(int n) {
        return String.format(Locale.ROOT, "i-%017x", n);
    }

    /** An instance's document, as the engine writes it: stopped, or pending after a start without its process. */
    private static Map<String, Object> instanceDocument(int n, boolean pending, String reason) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("id", instanceId(n));
        document.put("name", String.format(Locale.ROOT, "web-%05d", n));
        document.put("imageId", "ami-00000000000000001");
        document.put("instanceType", "t3.nano");
        document.put("vcpus", 2);
        document.put("memoryMiB", 512);
        document.put("keyPairId", null);
        document.put("keyName", null);
        document.put("securityGroupIds", List.of("sg-00000000000000001"));
        document.put("rootVolumeGiB", 1);
        document.put("hasUserData", false);
        document.put("sshUser", "root");
        document.put("launchTime", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n).toString());
        document.put("intent", pending ? "RUNNING" : "STOPPED");
        document.put("operation", pending ? "STARTING" : "NONE");
        document.put("stateReason", reason);
        document.put("terminatedAt", null);
        return document;
    }

    /** Writes the documents of {@code rows} stopped instances into the region (a fixture: not synced to disk). */
    static void writeInstances(Path regionRoot, int rows) throws Exception {
        Path dir = regionRoot.resolve(ResourceKind.INSTANCE.folder());
        for (int n = 0; n < rows; n++) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put(DocumentStore.SCHEMA_FIELD, DocumentStore.SCHEMA_VERSION);
            document.putAll(instanceDocument(n, false, null));
            Path folder = Files.createDirectories(dir.resolve(instanceId(n)));
            Files.write(folder.resolve("resource.json"), Json.mapper().writeValueAsBytes(document));
        }
    }

    /**
     * Moves each of the first {@code instances} instances between stopped and pending {@code changes} times, as the
     * engine does when it publishes a state: the document written (atomically), then InstanceStateChanged and
     * ResourceChanged published. Waits until the table shows every instance's last state.
     */
    static Burst stateChanges(Engine engine, String region, Path regionRoot, FxClock clock,
                              TableView<Instance> table, int instances, int changes) throws Exception {
        Path dir = regionRoot.resolve(ResourceKind.INSTANCE.folder());
        clock.start();
        for (int change = 1; change <= changes; change++) {
            boolean pending = change % 2 == 1;
            for (int n = 1; n <= instances; n++) {
                DocumentStore.write(dir.resolve(instanceId(n)).resolve("resource.json"), instanceDocument(n, pending,
                        pending ? null : "Client.UserInitiatedShutdown: change " + change));
                engine.events().publish(new InstanceStateChanged(region, instanceId(n), pending
                        ? InstanceState.STOPPED : InstanceState.PENDING, pending ? InstanceState.PENDING
                        : InstanceState.STOPPED, null));
                engine.events().publish(new ResourceChanged(region, ResourceKind.INSTANCE, instanceId(n),
                        ResourceChanged.Change.UPDATED));
            }
        }
        InstanceState last = changes % 2 == 1 ? InstanceState.PENDING : InstanceState.STOPPED;
        TablesBenchmark.waitFor("the last states in the instances table", () -> table.getItems().stream()
                .filter(i -> i.id().compareTo(instanceId(instances)) <= 0 && !i.id().equals(instanceId(0)))
                .allMatch(i -> i.state() == last));
        clock.awaitQuiet();
        clock.stop();
        return clock.burst(instances * changes);
    }

    /**
     * Replaces rows 1..{@code rowsTouched} of a bare table in turn, {@code count} times: each {@code set(i, x)} on
     * the FX thread, then the pulse that lays the table out again, timed by the clock as the bursts are.
     */
    static Burst bareRowUpdates(FxClock clock, ObservableList<String[]> rows, int count, int rowsTouched)
            throws Exception {
        clock.start();
        for (int i = 0; i < count; i++) {
            int index = 1 + i % rowsTouched;
            int version = i;
            int pulses = clock.pulses.get();
            javafx.application.Platform.runLater(() -> clock.time(() -> {
                String[] row = rows.get(index).clone();
                row[1] = "changed " + version;
                rows.set(index, row);
            }, clock.callbacks));
            TablesBenchmark.waitFor("the pulse after a row update", () -> clock.pulses.get() > pulses);
        }
        clock.awaitQuiet();
        clock.stop();
        return clock.burst(count);
    }
}
