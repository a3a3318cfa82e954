package dev.nube.engine.compute.instances;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A template guest that never says it waits marks its image unusable for templates only when its console shows a
 * boot script that went on without waiting; a guest that is only slow to boot does not.
 */
class TemplateConsoleTest {
    @TempDir
    Path dir;

    @Test
    void onlyABootScriptThatWentOnMarksTheImage() throws Exception {
        assertTrue(LaunchTemplates.passedItsWait(console("Linux version 6.1\nnube: no metadata token; asking without"
                + " one\n")), "an older script: refused its token and carried on");
        assertTrue(LaunchTemplates.passedItsWait(console("nube: instance i-0123\n")));
        assertFalse(LaunchTemplates.passedItsWait(console("Linux version 6.1\n[    9.1] virtio_net\n")),
                "still booting: slow, not old");
        assertFalse(LaunchTemplates.passedItsWait(console("nube: template waiting for its instance\n")));
        assertFalse(LaunchTemplates.passedItsWait(dir.resolve("none.log")), "no console yet");
    }

    private Path console(String text) throws Exception {
        Path file = Files.createTempFile(dir, "console", ".log");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
