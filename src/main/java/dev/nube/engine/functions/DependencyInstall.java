package dev.nube.engine.functions;

/**
 * What Deploy's install of a function's dependencies did.
 *
 * @param status         NONE (the runtime installs nothing, or the code has no manifest), UP_TO_DATE (the manifest
 *                       is the one installed last), INSTALLED
 * @param tool           "npm", "pip", or empty
 * @param manifest       "package.json", "requirements.txt", or empty
 * @param installedBytes the size of the installed tree in the code
 */
public record DependencyInstall(Status status, String tool, String manifest, long installedBytes) {
    public enum Status {
        NONE, UP_TO_DATE, INSTALLED
    }
}
