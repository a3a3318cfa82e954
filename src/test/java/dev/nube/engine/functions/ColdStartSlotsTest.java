package dev.nube.engine.functions;

import static dev.nube.engine.EngineTestSupport.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cold start slots follow the limit as it is now, without a restart, and serve waiting starts in order. */
class ColdStartSlotsTest {
    private final AtomicInteger limit = new AtomicInteger();
    private final ColdStartSlots slots = new ColdStartSlots(limit::get);

    /**
     * Takes a slot on a thread of its own (the common pool may have a single thread, and these block), waiting up to
     * a minute: only a broken run waits that long.
     */
    private CompletableFuture<Boolean> acquireInBackground() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return slots.tryAcquire(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, task -> new Thread(task, "cold-start-waiter").start());
    }

    @Test
    void aRaisedLimitLetsAWaitingStartGoAtOnce() throws Exception {
        limit.set(1);
        assertTrue(slots.tryAcquire(0, TimeUnit.SECONDS));
        CompletableFuture<Boolean> second = acquireInBackground();
        waitUntil("the second start waits for a slot", 60, () -> slots.waiting() == 1);
        assertFalse(second.isDone());

        limit.set(2);
        slots.limitChanged();
        assertTrue(second.get(60, TimeUnit.SECONDS), "it took the slot the raised limit grants");
        assertEquals(2, slots.inUse());
        assertEquals(0, slots.waiting());
    }

    @Test
    void aLoweredLimitLetsStartsUnderWayFinishAndHoldsNewOnes() throws Exception {
        limit.set(2);
        assertTrue(slots.tryAcquire(0, TimeUnit.SECONDS));
        assertTrue(slots.tryAcquire(0, TimeUnit.SECONDS));

        limit.set(1);
        slots.limitChanged();
        assertEquals(2, slots.inUse(), "the starts under way keep their slots");
        slots.release();
        assertFalse(slots.tryAcquire(0, TimeUnit.SECONDS), "one under way is all a limit of 1 allows");
        slots.release();
        assertTrue(slots.tryAcquire(0, TimeUnit.SECONDS), "none under way: one may start");
    }

    @Test
    void waitingStartsAreServedInTheOrderTheyCame() throws Exception {
        limit.set(1);
        assertTrue(slots.tryAcquire(0, TimeUnit.SECONDS));
        CompletableFuture<Boolean> first = acquireInBackground();
        waitUntil("the first start waits", 60, () -> slots.waiting() == 1);
        CompletableFuture<Boolean> second = acquireInBackground();
        waitUntil("the second start waits behind it", 60, () -> slots.waiting() == 2);

        slots.release();
        assertTrue(first.get(60, TimeUnit.SECONDS), "the earlier start took the freed slot");
        assertEquals(1, slots.waiting(), "the later one still waits: the slot was not free for it");
        assertFalse(second.isDone());
        slots.release();
        assertTrue(second.get(60, TimeUnit.SECONDS));
    }

    @Test
    void aStartThatWaitedTooLongGetsNoSlotAndLeavesTheLine() throws Exception {
        limit.set(1);
        assertTrue(slots.tryAcquire(0, TimeUnit.SECONDS));
        assertFalse(slots.tryAcquire(1, TimeUnit.MILLISECONDS));
        assertEquals(0, slots.waiting());
        assertEquals(1, slots.inUse());
    }
}
