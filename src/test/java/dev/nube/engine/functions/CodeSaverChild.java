package dev.nube.engine.functions;

import dev.nube.engine.Engine;
import dev.nube.engine.EngineTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Run in a child JVM by {@link CodeSaveCrashTest}: opens the engine on a data folder and changes the code of one
 * function in a tight loop, each change putting the same counter in both of its files: two saves of the two files,
 * then an import of a zip holding both. After change k is complete it appends the line "k" to an acknowledgement
 * file (one unbuffered write(2)). It runs until it is killed.
 */
public final class CodeSaverChild {
    static final String FUNCTION = "saves";
    static final String FIRST = "first.txt";
    static final String SECOND = "lib/second.txt";

    private CodeSaverChild() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        long counter = Long.parseLong(args[1]);
        Path uploads = Path.of(args[2]);
        try (Engine engine = EngineTestSupport.openWithoutKvm(home);
                FileOutputStream acks = new FileOutputStream(args[3], true)) {
            FunctionCode code = engine.functionCode();
            while (true) {
                counter++;
                byte[] content = content(counter);
                if (counter % 3 == 0) {
                    Path zip = uploads.resolve("upload-" + counter + ".zip");
                    Files.write(zip, zip(content));
                    code.importZip(FunctionsFixture.REGION, FUNCTION, zip);
                    Files.delete(zip);
                } else {
                    code.saveFiles(FunctionsFixture.REGION, FUNCTION, Map.of(FIRST, content, SECOND, content));
                }
                acks.write((counter + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** A file's content for change {@code counter}: the counter, then a payload that proves the file whole. */
    static byte[] content(long counter) {
        return (counter + "\n" + Long.toString(counter).repeat(8000)).getBytes(StandardCharsets.US_ASCII);
    }

    /** The counter in {@code content}, or -1 when it is not whole. */
    static long counter(byte[] content) {
        String text = new String(content, StandardCharsets.US_ASCII);
        int newline = text.indexOf('\n');
        if (newline < 0) {
            return -1;
        }
        long counter = Long.parseLong(text.substring(0, newline));
        return text.substring(newline + 1).equals(Long.toString(counter).repeat(8000)) ? counter : -1;
    }

    static byte[] zip(byte[] content) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (String name : new String[] {FIRST, SECOND}) {
                out.putNextEntry(new ZipEntry(name));
                out.write(content);
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
