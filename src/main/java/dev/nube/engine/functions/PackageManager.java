package dev.nube.engine.functions;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A package manager Deploy runs for a function's dependencies, the manifest it reads, and its failures said in one
 * plain sentence from what it printed (npm's and pip's own wording is long and, for a registry out of reach, buried
 * in retries and stack traces). Stateless.
 */
enum PackageManager {
    NPM("npm", "package.json", List.of("package.json", "package-lock.json")),
    PIP("pip", "requirements.txt", List.of("requirements.txt"));

    final String title;
    final String manifest;
    /** The files whose contents decide what is installed. */
    final List<String> inputs;

    PackageManager(String title, String manifest, List<String> inputs) {
        this.title = title;
        this.manifest = manifest;
        this.inputs = inputs;
    }

    /** The package manager a runtime's functions use, if any (a custom runtime brings its own). */
    static Optional<PackageManager> of(String runtime) {
        return runtime.startsWith("nodejs") ? Optional.of(NPM) : runtime.startsWith("python") ? Optional.of(PIP)
                : Optional.empty();
    }

    private static final Pattern NPM_NETWORK = Pattern.compile(
            "\\b(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ESOCKETTIMEDOUT)\\b");
    private static final Pattern PIP_NETWORK = Pattern.compile("NewConnectionError|Failed to establish a new"
            + " connection|ConnectTimeoutError|Read timed out|ProxyError|Name or service not known|Temporary failure in"
            + " name resolution|Network is unreachable|Connection refused");

    /** The failure in one plain sentence, from what it printed. */
    String failure(int exit, List<String> lines) {
        String unchanged = "; the function's code was not changed.";
        if (this == NPM) {
            for (String line : lines) {
                Matcher network = NPM_NETWORK.matcher(line);
                if ((line.startsWith("npm error") || line.startsWith("npm ERR!")) && network.find()) {
                    String registry = lines.stream().map(l -> firstUrl(l)).filter(u -> u != null).findFirst()
                            .orElse("its registry");
                    return "npm could not reach the registry (" + registry + ": " + network.group(1) + "), so"
                            + " package.json's dependencies were not installed" + unchanged;
                }
            }
            for (String line : lines) {
                Matcher notFound = Pattern.compile("(?:npm error|npm ERR!) (404 Not Found - GET (\\S+/([^/\\s]+)))")
                        .matcher(line);
                if (notFound.find()) {
                    String name = java.net.URLDecoder.decode(notFound.group(3), StandardCharsets.UTF_8);
                    return "npm install failed: the registry has no package '" + name + "' ("
                            + notFound.group(1).strip() + ")" + unchanged;
                }
            }
            return "npm install failed" + detail(lines, "npm error ", "npm ERR! ", List.of("code ", "errno ",
                    "syscall ")) + unchanged;
        }
        if (lines.stream().anyMatch(l -> l.contains("No module named pip"))) {
            return "pip is not installed for the python runtime's interpreter (Debian's python3-pip package), so"
                    + " requirements.txt cannot be installed" + unchanged;
        }
        Optional<String> network = lines.stream().filter(l -> PIP_NETWORK.matcher(l).find()).findFirst();
        if (network.isPresent()) {
            String index = lines.stream().filter(l -> l.startsWith("Looking in indexes:")).map(PackageManager::firstUrl)
                    .filter(u -> u != null).findFirst().orElse("https://pypi.org/simple"); // pip names only other indexes
            Matcher reason = Pattern.compile("\\[Errno -?\\d+\\] ([^'\"\\)\\]]+)").matcher(network.get());
            String why = reason.find() ? ": " + reason.group(1).strip() : "";
            return "pip could not reach the package index (" + index + why + "), so requirements.txt was not"
                    + " installed" + unchanged;
        }
        return "pip install failed" + detail(lines, "ERROR: ", null, List.of()) + unchanged;
    }

    /** ": " and the first line with one of the prefixes (those of the skipped kinds left out), or the exit. */
    private static String detail(List<String> lines, String prefix, String otherPrefix, List<String> skipped) {
        for (String line : lines) {
            String rest = line.startsWith(prefix) ? line.substring(prefix.length())
                    : otherPrefix != null && line.startsWith(otherPrefix) ? line.substring(otherPrefix.length()) : null;
            if (rest == null || rest.isBlank() || skipped.stream().anyMatch(rest::startsWith)) {
                continue;
            }
            return ": " + rest.strip().replaceAll("\\.$", "");
        }
        return lines.isEmpty() ? " with no output" : ": " + lines.get(lines.size() - 1).strip().replaceAll("\\.$", "");
    }

    private static String firstUrl(String line) {
        Matcher url = Pattern.compile("https?://[^\\s,'\"]+").matcher(line);
        if (!url.find()) {
            return null;
        }
        String found = url.group();
        Matcher host = Pattern.compile("^(https?://[^/]+/?)").matcher(found);
        return line.startsWith("Looking in indexes:") || !host.find() ? found : host.group(1);
    }
}
