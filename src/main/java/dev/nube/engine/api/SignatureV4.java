package dev.nube.engine.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 (the {@code Authorization: AWS4-HMAC-SHA256 ...} header form), checked as AWS checks it: the
 * canonical request rebuilt from what arrived (method, the path encoded once more as services other than S3 do, the
 * query re-encoded and sorted, the signed headers, the body's SHA-256), the key derived from the secret, the date,
 * region and service of the credential scope, and the signature compared in constant time. A request is refused when
 * its time is more than {@link #MAX_SKEW} from now, when it does not sign {@code host} and its date, or when a stated
 * {@code x-amz-content-sha256} is not the body's. Stateless and thread-safe.
 */
public final class SignatureV4 {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** How far a request's time may be from the server's, as AWS allows. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(15);
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter AMZ_DATE_LOCAL = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256\\s+Credential=([^,\\s]+)\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,\\s*Signature=([0-9a-fA-F]{64})\\s*");
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

    private SignatureV4() {
    }

    /** Why a request's signature was not accepted; each protocol words it with its own error code. */
    public enum Problem {
        /** No Authorization header (or not one of SigV4's). */
        MISSING,
        /** An Authorization header that cannot be read, or one that leaves out host or the date. */
        INCOMPLETE,
        /** The access key id is not one of this machine's, or it is inactive. */
        UNKNOWN_KEY,
        /** The signature is not the one the secret gives. */
        MISMATCH,
        /** The request's time is more than 15 minutes from now. */
        EXPIRED
    }

    /** A refused signature: the problem and a message in AWS's words. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final Problem problem;

        Refused(Problem problem, String message) {
            super(message, null, false, false);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    /** The credential scope of an accepted request: who signed it, and for which region and service. */
    public record Signer(String accessKeyId, String region, String service) {
    }

    /**
     * The signing service and region a request names in its Authorization header, before it is checked (to answer in
     * that service's dialect); empty when it has none that can be read.
     */
    public static Optional<Signer> scopeOf(Map<String, String> headers) {
        String authorization = headers.get("authorization");
        if (authorization == null) {
            return Optional.empty();
        }
        Matcher m = AUTHORIZATION.matcher(authorization.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        String[] scope = m.group(1).split("/");
        return scope.length == 5 ? Optional.of(new Signer(scope[0], scope[2], scope[3])) : Optional.empty();
    }

    /**
     * Checks a request. {@code rawPath} and {@code rawQuery} are as they arrived (still percent-encoded; query null
     * when there is none), {@code headers} by lower-case name. {@code secrets} gives the secret of an active access
     * key id, empty for an unknown or inactive one.
     */
    public static Signer verify(String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body,
            Instant now, Function<String, Optional<String>> secrets) throws Refused {
        String authorization = headers.get("authorization");
        if (authorization == null || !authorization.strip().startsWith("AWS4-HMAC-SHA256")) {
            throw new Refused(Problem.MISSING, authorization == null ? "Missing Authentication Token"
                    : "Only AWS Signature Version 4 (AWS4-HMAC-SHA256) is accepted");
        }
        Matcher m = AUTHORIZATION.matcher(authorization.strip());
        if (!m.matches()) {
            throw new Refused(Problem.INCOMPLETE, "Authorization header requires 'Credential', 'SignedHeaders' and"
                    + " 'Signature' parameters. Authorization=" + authorization);
        }
        String[] scope = m.group(1).split("/");
        if (scope.length != 5 || !scope[4].equals("aws4_request") || !scope[1].matches("[0-9]{8}")) {
            throw new Refused(Problem.INCOMPLETE, "Credential should be scoped to a valid region, date and service,"
                    + " as KEY/yyyyMMdd/REGION/SERVICE/aws4_request. Credential=" + m.group(1));
        }
        List<String> signedHeaders = Arrays.asList(m.group(2).toLowerCase(Locale.ROOT).split(";"));
        String amzDate = headers.get("x-amz-date");
        String dateHeader = amzDate != null ? "x-amz-date" : "date";
        if (!signedHeaders.contains("host") || !signedHeaders.contains(dateHeader) || headers.get(dateHeader) == null) {
            throw new Refused(Problem.INCOMPLETE, "The request must sign the host header and its date"
                    + " (X-Amz-Date). SignedHeaders=" + m.group(2));
        }
        Instant requestTime = requestTime(amzDate, headers.get("date"));
        if (Duration.between(requestTime, now).abs().compareTo(MAX_SKEW) > 0) {
            throw new Refused(Problem.EXPIRED, "Signature expired: " + AMZ_DATE.format(requestTime)
                    + " is now earlier than " + AMZ_DATE.format(now.minus(MAX_SKEW)) + " (" + AMZ_DATE.format(now)
                    + " - 15 min.)");
        }
        String requestDate = AMZ_DATE.format(requestTime);
        if (!requestDate.startsWith(scope[1])) {
            throw new Refused(Problem.MISMATCH, "Date in Credential scope does not match YYYYMMDD from ISO-8601"
                    + " version of date from HTTP: '" + scope[1] + "' != '" + requestDate.substring(0, 8) + "'");
        }
        Optional<String> secret = secrets.apply(scope[0]);
        if (secret.isEmpty()) {
            throw new Refused(Problem.UNKNOWN_KEY, "The security token included in the request is invalid.");
        }
        String payloadHash = headers.get("x-amz-content-sha256");
        String bodyHash = hex(sha256(body));
        if (payloadHash == null) {
            payloadHash = bodyHash;
        } else if (!payloadHash.equals(UNSIGNED_PAYLOAD) && !payloadHash.equalsIgnoreCase(bodyHash)) {
            throw new Refused(Problem.MISMATCH, "The provided 'x-amz-content-sha256' header does not match what was"
                    + " computed.");
        }
        String canonical = method + "\n" + canonicalPath(rawPath) + "\n" + canonicalQuery(rawQuery) + "\n"
                + canonicalHeaders(signedHeaders, headers) + "\n" + String.join(";", signedHeaders) + "\n"
                + payloadHash;
        String scopeText = String.join("/", scope[1], scope[2], scope[3], scope[4]);
        String stringToSign = ALGORITHM + "\n" + (amzDate != null ? amzDate : requestDate) + "\n" + scopeText + "\n"
                + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        byte[] key = signingKey(secret.get(), scope[1], scope[2], scope[3]);
        byte[] expected = hmac(key, stringToSign);
        byte[] given = HexFormat.of().parseHex(m.group(3).toLowerCase(Locale.ROOT));
        if (!MessageDigest.isEqual(expected, given)) {
            throw new Refused(Problem.MISMATCH, "The request signature we calculated does not match the signature you"
                    + " provided. Check your AWS Secret Access Key and signing method. Consult the service"
                    + " documentation for details.");
        }
        return new Signer(scope[0], scope[2], scope[3]);
    }

    /**
     * Signs a request as a client does (the Authorization header's value), for tests and the benchmark: the same
     * canonical form {@link #verify} rebuilds. {@code headers} must hold host and x-amz-date.
     */
    public static String authorization(String accessKeyId, String secret, String region, String service,
            String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body) {
        List<String> names = new ArrayList<>(headers.keySet().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
        names.sort(null);
        Map<String, String> lower = new java.util.HashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        String amzDate = lower.get("x-amz-date");
        String date = amzDate.substring(0, 8);
        String canonical = method + "\n" + canonicalPath(rawPath) + "\n" + canonicalQuery(rawQuery) + "\n"
                + canonicalHeaders(names, lower) + "\n" + String.join(";", names) + "\n" + hex(sha256(body));
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
        return ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders=" + String.join(";", names)
                + ", Signature=" + hex(hmac(signingKey(secret, date, region, service), stringToSign));
    }

    private static Instant requestTime(String amzDate, String date) throws Refused {
        try {
            if (amzDate != null) {
                return java.time.LocalDateTime.parse(amzDate, AMZ_DATE_LOCAL).toInstant(ZoneOffset.UTC);
            }
            return java.time.ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new Refused(Problem.INCOMPLETE, "X-Amz-Date must be in the ISO8601 Long Format"
                    + " \"yyyyMMdd'T'HHmmss'Z'\"");
        }
    }

    /** The path encoded once more (a {@code %} becomes {@code %25}), as AWS does for every service but S3. */
    static String canonicalPath(String rawPath) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : removeDotSegments(rawPath);
        return encode(path, true);
    }

    private static String removeDotSegments(String path) {
        if (!path.contains("/.")) {
            return path;
        }
        java.util.Deque<String> out = new java.util.ArrayDeque<>();
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) {
                out.pollLast();
            } else if (!segment.equals(".")) {
                out.addLast(segment);
            }
        }
        String joined = String.join("/", out);
        return joined.startsWith("/") ? joined : "/" + joined;
    }

    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            pairs.add(new String[] {encode(decode(key), false), encode(decode(value), false)});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder out = new StringBuilder();
        for (String[] pair : pairs) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(pair[0]).append('=').append(pair[1]);
        }
        return out.toString();
    }

    private static String canonicalHeaders(List<String> names, Map<String, String> headers) {
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            String value = headers.get(name);
            out.append(name).append(':').append(value == null ? "" : collapseSpaces(value.strip())).append('\n');
        }
        return out.toString();
    }

    /** Runs of white space inside a header's value as one space, as the canonical form wants. */
    private static String collapseSpaces(String value) {
        boolean plain = true;
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = !Character.isWhitespace(c) || (c == ' ' && (i + 1 == value.length()
                    || !Character.isWhitespace(value.charAt(i + 1))));
        }
        return plain ? value : value.replaceAll("\\s+", " ");
    }

    /** Percent-decoding of a URI component ({@code +} stays a plus, as in a path). */
    public static String decode(String text) {
        return text.indexOf('%') < 0 ? text : URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** RFC 3986 encoding: everything but letters, digits and {@code -_.~} (and {@code /} when {@code keepSlash}). */
    public static String encode(String text, boolean keepSlash) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || (keepSlash && c == '/')) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static byte[] signingKey(String secret, String date, String region, String service) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        return hmac(key, "aws4_request");
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
