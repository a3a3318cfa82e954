package dev.nube.engine.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nube.engine.store.EventBus;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Tasks that run, fail, are cancelled while they run or while they wait their turn, and what each leaves. */
class TasksTest {
    @Test
    void aTaskCancelledWhileItWaitsNeverRunsAndItsRegistrationIsUndone() throws Exception {
        try (Tasks tasks = new Tasks(new EventBus())) {
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < Tasks.PARALLEL; i++) {
                tasks.start("busy " + i, "local-1", null, true, p -> {
                    release.await();
                    return "done";
                });
            }
            AtomicInteger ran = new AtomicInteger();
            AtomicInteger undone = new AtomicInteger();
            Task waiting = tasks.start("waiting", "local-1", "snap-x", true, p -> {
                ran.incrementAndGet();
                return "ran";
            }, undone::incrementAndGet);
            assertTrue(tasks.cancel(waiting.id()));
            assertEquals(1, undone.get(), "what was registered for it is removed at once");
            assertEquals(Task.Status.CANCELLED, tasks.get(waiting.id()).status());
            release.countDown();
            for (Task t : tasks.list()) {
                tasks.await(t.id(), 10_000);
            }
            assertEquals(0, ran.get(), "it never runs");
            assertEquals(1, undone.get());
        }
    }

    @Test
    void aRunningTaskIsCancelledThroughItsWorkAndAFailureKeepsItsReason() throws Exception {
        try (Tasks tasks = new Tasks(new EventBus())) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicInteger undone = new AtomicInteger();
            Task running = tasks.start("long", "local-1", null, true, p -> {
                started.countDown();
                while (true) {
                    p.checkCancelled();
                    Thread.sleep(5);
                }
            }, undone::incrementAndGet);
            started.await();
            assertTrue(tasks.cancel(running.id()));
            assertEquals(Task.Status.CANCELLED, tasks.await(running.id(), 10_000).status());
            assertEquals(0, undone.get(), "a task that ran undoes its own work");

            Task failing = tasks.start("failing", "local-1", null, false, p -> {
                throw new java.io.IOException("the disk is full");
            });
            Task ended = tasks.await(failing.id(), 10_000);
            assertEquals(Task.Status.FAILED, ended.status());
            assertEquals("the disk is full", ended.message());
            assertEquals(false, tasks.cancel(failing.id()), "an ended task is left as it is");
        }
    }
}
