package dev.nube.engine.functions.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTableTest {
    @TempDir
    Path dir;

    @Test
    void aTreeHoldsTheProcessAndAllItsDescendantsWithTheirMemoryAndThreads() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 60 & sh -c 'sleep 60 & wait' & wait").start();
        try {
            Set<Long> expected = null;
            List<ProcessTable.Entry> tree = List.of();
            for (int i = 0; i < 200; i++) {
                expected = shell.descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
                expected.add(shell.pid());
                tree = ProcessTable.read().tree(shell.pid());
                if (expected.size() == 4 && tree.size() == 4) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals(expected, tree.stream().map(ProcessTable.Entry::pid).collect(Collectors.toSet()),
                    "the shell and its three descendants, as the process table had them when the wait ended");
            for (ProcessTable.Entry entry : tree) {
                assertTrue(entry.residentBytes() > 0, entry.toString());
                assertEquals(1, entry.threads(), entry.toString());
            }
            assertEquals(List.of(), ProcessTable.read().tree(Long.MAX_VALUE), "no such process");
        } finally {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
        }
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesIsReadPastItsLastParenthesis() throws Exception {
        Path stat = dir.resolve("stat");
        Files.writeString(stat, "4242 (a) b (c) S 17 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 3 0 100 12345678"
                + " 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        ProcessTable.Entry entry = ProcessTable.parse(4242, stat);
        assertEquals(new ProcessTable.Entry(4242, 17, 3, 250 * 4096L, "a) b (c"), entry);
        assertNull(ProcessTable.parse(1, dir.resolve("gone")), "a process that ended is left out");
    }
}
