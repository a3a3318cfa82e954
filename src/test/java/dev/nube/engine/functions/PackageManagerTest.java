package dev.nube.engine.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** npm's and pip's failures said plainly from what they printed. */
class PackageManagerTest {
    private static final String UNREACHABLE = "npm could not reach the registry (https://registry.npmjs.org/:"
            + " ENOTFOUND), so package.json's dependencies were not installed; the function's code was not changed.";

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
