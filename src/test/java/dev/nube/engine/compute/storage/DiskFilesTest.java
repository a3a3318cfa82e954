package dev.nube.engine.compute.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checksum of snapshot files, computed in parallel parts and trailing a copy, and what it catches. */
class DiskFilesTest {
    @TempDir
    Path dir;

    private Path randomFile(long size) throws IOException {
        Path f = dir.resolve("f-" + size);
        byte[] block = new byte[1 << 20];
        Random random = new Random(size);
        try (var out = Files.newOutputStream(f)) {
            for (long left = size; left > 0; left -= block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        return f;
    }

    /** The checksum as documented: SHA-256 over the SHA-256s of the parts, computed the slow, obvious way. */
    private static String reference(Path f) throws Exception {
        byte[] all = Files.readAllBytes(f);
        MessageDigest outer = MessageDigest.getInstance("SHA-256");
        for (int at = 0; at < all.length; at += DiskFiles.PART) {
            MessageDigest part = MessageDigest.getInstance("SHA-256");
            part.update(all, at, Math.min(DiskFiles.PART, all.length - at));
            outer.update(part.digest());
        }
        return HexFormat.of().formatHex(outer.digest());
    }

    @Test
    void theChecksumIsTheDocumentedOneForAnySizeAndACopyComputesTheSame() throws Exception {
        for (long size : new long[] {0, 1, DiskFiles.PART, 2L * DiskFiles.PART + 12345}) {
            Path f = randomFile(size);
            String sum = DiskFiles.checksum(f, x -> { });
            assertEquals(reference(f), sum, "size " + size);
            Path copy = dir.resolve("copy-" + size);
            DiskFiles.copyVerified(f, copy, sum, x -> { });
            assertEquals(sum, DiskFiles.checksum(copy, x -> { }));
        }
    }

    @Test
    void oneChangedByteChangesItAndACopyOfADamagedFileIsRefused() throws Exception {
        Path f = randomFile(2L * DiskFiles.PART + 7);
        String before = DiskFiles.checksum(f, x -> { });
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(DiskFiles.PART + 3);
            int b = raf.read();
            raf.seek(DiskFiles.PART + 3);
            raf.write(b ^ 1);
        }
        assertNotEquals(before, DiskFiles.checksum(f, x -> { }));
        IOException refused = assertThrows(IOException.class,
                () -> DiskFiles.copyVerified(f, dir.resolve("copy"), before, x -> { }));
        assertTrue(refused.getMessage().contains(before), refused.getMessage());
    }
}
