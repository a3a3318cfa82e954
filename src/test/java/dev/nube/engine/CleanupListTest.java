package dev.nube.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanupListTest {
    @Test
    void releasesLastFirstAndCollectsErrors() {
        List<String> order = new ArrayList<>();
        CleanupList cleanup = new CleanupList();
        cleanup.add("first", () -> order.add("first"));
        cleanup.add("broken", () -> {
            throw new IllegalStateException("boom");
        });
        cleanup.add("last", () -> order.add("last"));
        assertEquals(List.of("closing broken: boom"), cleanup.release());
        assertEquals(List.of("last", "first"), order);
        assertEquals(List.of(), cleanup.release(), "a second release does nothing");
    }

    @Test
    void handsEachErrorOverWithItsException() {
        CleanupList cleanup = new CleanupList();
        IllegalStateException boom = new IllegalStateException("boom");
        cleanup.add("broken", () -> {
            throw boom;
        });
        cleanup.add("nothing opened", null);
        List<Exception> heard = new ArrayList<>();
        assertEquals(List.of("closing broken: boom"), cleanup.release((message, error) -> heard.add(error)));
        assertEquals(List.of(boom), heard);
    }
}
