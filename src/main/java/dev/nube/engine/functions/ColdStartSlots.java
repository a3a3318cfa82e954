package dev.nube.engine.functions;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The cold starts allowed at once, served first come, first served. The limit is read from the settings at every
 * check rather than copied, so a changed setting applies to the next start: a raised limit lets waiting starts go as
 * soon as {@link #limitChanged()} is called; a lowered one lets starts already under way finish and holds new ones
 * until fewer than the new limit are left. Thread-safe: every field is guarded by {@code lock}.
 */
final class ColdStartSlots {
    private final IntSupplier limit;
    private final ReentrantLock lock = new ReentrantLock();
    /** One condition per waiting start, oldest first: only the head may take a slot, so order is kept. */
    private final ArrayDeque<Condition> waiting = new ArrayDeque<>();
    private int inUse;

    ColdStartSlots(IntSupplier limit) {
        this.limit = limit;
    }

    /** Takes a slot, waiting behind earlier callers for at most {@code timeout}; false when none came in time. */
    boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        lock.lock();
        try {
            if (waiting.isEmpty() && inUse < limit.getAsInt()) {
                inUse++;
                return true;
            }
            Condition turn = lock.newCondition();
            waiting.addLast(turn);
            long left = unit.toNanos(timeout);
            try {
                while (waiting.peekFirst() != turn || inUse >= limit.getAsInt()) {
                    if (left <= 0) {
                        return false;
                    }
                    left = turn.awaitNanos(left);
                }
                inUse++;
                return true;
            } finally {
                // Taken, timed out or interrupted: whoever is next in line may find a slot free (several may be,
                // after the limit was raised), so the new head looks for itself.
                boolean wasHead = waiting.peekFirst() == turn;
                waiting.remove(turn);
                if (wasHead) {
                    wakeHead();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a slot taken by {@link #tryAcquire}. */
    void release() {
        lock.lock();
        try {
            inUse--;
            wakeHead();
        } finally {
            lock.unlock();
        }
    }

    /** Called after the setting changed: a start waiting for a slot that the new limit grants takes it now. */
    void limitChanged() {
        lock.lock();
        try {
            wakeHead();
        } finally {
            lock.unlock();
        }
    }

    /** Cold starts holding a slot now. */
    int inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    /** Cold starts waiting for a slot now. */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    private void wakeHead() {
        Condition head = waiting.peekFirst();
        if (head != null && inUse < limit.getAsInt()) {
            head.signal();
        }
    }
}
