package dev.nube.engine.store;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** EC2-style resource ids: a prefix, a hyphen and 17 lower-case hex digits ({@code i-0123456789abcdef0}). */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern HEX17 = Pattern.compile("[0-9a-f]{17}");

    private Ids() {
    }

    public static String newId(ResourceKind kind) {
        byte[] bytes = new byte[9];
        RANDOM.nextBytes(bytes);
        String hex = HexFormat.of().formatHex(bytes).substring(0, 17);
        return kind.prefix() + "-" + hex;
    }

    /** True when {@code id} has the form of an id of {@code kind}; says nothing about whether it exists. */
    public static boolean isId(ResourceKind kind, String id) {
        if (id == null || !id.startsWith(kind.prefix() + "-")) {
            return false;
        }
        return HEX17.matcher(id.substring(kind.prefix().length() + 1)).matches();
    }
}
