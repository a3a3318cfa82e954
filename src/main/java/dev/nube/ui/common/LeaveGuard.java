package dev.nube.ui.common;

/**
 * A page that may hold edits not saved yet. Before the console leaves the page (another page, or quitting), the
 * shell asks it: the page may ask the person (save, discard, cancel) and runs {@code proceed} once leaving loses
 * nothing they wanted, possibly later (after a save), or never (they cancelled). FX thread only.
 */
public interface LeaveGuard {
    void leave(Runnable proceed);
}
