package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** npm's and pip's failures said plainly from what they printed. */
class PackageManagerTest {
    private static final String UNREACHABLE = "npm could not reach the registry (https://registry.npmjs.org/:"
            + " ENOTFOUND), so package.json's dependencies were not installed; the function's code was not changed.";

    @Test
    void linksAnInstallMadeThatLeaveTheCodeAreRefusedByName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path modules = java.nio.file.Files.createDirectories(dir.resolve("node_modules/.bin"));
        java.nio.file.Files.createDirectories(dir.resolve("node_modules/tool/bin"));
        java.nio.file.Files.createSymbolicLink(modules.resolve("tool"), java.nio.file.Path.of("../tool/bin/tool"));
        java.util.Map<String, java.nio.file.Path> incoming = java.util.Map.of("node_modules", dir.resolve(
                "node_modules"));
        Dependencies.checkLinks(PackageManager.NPM, incoming); // within the code: kept

        java.nio.file.Files.createSymbolicLink(modules.resolve("escape"), java.nio.file.Path.of("../../../etc/passwd"));
        dev.nube.engine.EngineException refused = org.junit.jupiter.api.Assertions.assertThrows(
                dev.nube.engine.EngineException.class, () -> Dependencies.checkLinks(PackageManager.NPM, incoming));
        assertEquals("npm made the link 'node_modules/.bin/escape' to '../../../etc/passwd', which points outside the"
                + " function's code; such code could not be published or exported. The function's code was not"
                + " changed.", refused.getMessage());
        java.nio.file.Files.delete(modules.resolve("escape"));
        java.nio.file.Files.createSymbolicLink(modules.resolve("absolute"), dir.resolve("node_modules/tool"));
        org.junit.jupiter.api.Assertions.assertThrows(dev.nube.engine.EngineException.class,
                () -> Dependencies.checkLinks(PackageManager.NPM, incoming));
    }

    @Test
    void aRegistryOutOfReachIsRecognisedInNpm10sWordsAndNpm9s() {
        assertEquals(UNREACHABLE, PackageManager.NPM.failure(1, List.of("npm error code ENOTFOUND",
                "npm error network request to https://registry.npmjs.org/is-number failed, reason: getaddrinfo"
                        + " ENOTFOUND registry.npmjs.org")));
        assertEquals(UNREACHABLE, PackageManager.NPM.failure(1, List.of("npm ERR! code ENOTFOUND",
                "npm ERR! network request to https://registry.npmjs.org/is-number failed, reason: getaddrinfo"
                        + " ENOTFOUND registry.npmjs.org")));
    }
}
