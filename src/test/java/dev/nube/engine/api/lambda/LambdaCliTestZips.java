package dev.nube.engine.api.lambda;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Deployment packages for the API tests: a zip of text files, entries in name order. */
public final class LambdaCliTestZips {
    private LambdaCliTestZips() {
    }

    /** Writes {@code files} (path to text) as the zip {@code target} and returns it. */
    public static Path zip(Path target, Map<String, String> files) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(bytes)) {
            for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
                out.putArchiveEntry(new ZipArchiveEntry(file.getKey()));
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        Files.write(target, bytes.toByteArray());
        return target;
    }
}
