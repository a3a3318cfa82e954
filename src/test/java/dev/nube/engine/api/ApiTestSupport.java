package dev.nube.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nube.engine.Engine;
import dev.nube.engine.store.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The AWS API of an engine, served on a free loopback port with a fresh access key, and the ways tests call it: the
 * real {@code aws} CLI (Debian's awscli, {@code /usr/bin/aws}) with a clean configuration of its own, and signed raw
 * requests for what the CLI will not send (bad signatures, malformed members).
 */
public final class ApiTestSupport implements AutoCloseable {
    /** Debian's AWS CLI v2; a pip-installed v1 may come first on PATH on some machines. */
    public static final String AWS = "/usr/bin/aws";

    private final Engine engine;
    private final String url;
    private final String keyId;
    private final String secret;
    private final Path awsHome;
    private final HttpClient http = HttpClient.newHttpClient();

    private ApiTestSupport(Engine engine, Path awsHome) {
        this.engine = engine;
        ApiEndpoint.Status status = engine.apiHost().startWith(new ApiEndpoint.Settings(0, false));
        if (!status.serving()) {
            throw new AssertionError("the API did not start: " + status.problem());
        }
        this.url = status.url();
        AccessKeyService.Created key = engine.accessKeys().create("tests");
        this.keyId = key.key().id();
        this.secret = key.secretAccessKey();
        this.awsHome = awsHome;
    }

    /** Serves {@code engine}'s API; {@code scratch} holds the CLI's (empty) configuration and its cache. */
    public static ApiTestSupport start(Engine engine, Path scratch) throws IOException {
        return new ApiTestSupport(engine, Files.createDirectories(scratch.resolve("aws-home")));
    }

    public String url() {
        return url;
    }

    public String keyId() {
        return keyId;
    }

    public String secret() {
        return secret;
    }

    /** What the CLI printed and its exit status. */
    public record Result(int exit, String out, String err) {
        /** stdout as JSON (the CLI's --output json). */
        public JsonNode json() {
            try {
                return Json.mapper().readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + "\n" + err, e);
            }
        }

        /** Fails unless the CLI exited 0, showing what it said. */
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("aws exited " + exit + ":\n" + err + out);
            }
            return this;
        }
    }

    /** Runs {@code aws --endpoint-url URL ARGS...} signed with this key, in region local-1 unless given. */
    public Result aws(String... args) throws IOException, InterruptedException {
        return aws(Map.of(), 120, args);
    }

    /**
     * As {@link #aws(String...)}, with more environment (e.g. another key) and a time limit; the CLI is killed and the
     * test fails when it passes.
     */
    public Result aws(Map<String, String> environment, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(AWS, "--endpoint-url", url, "--output", "json"));
        command.addAll(List.of(args));
        if (!List.of(args).contains("--region")) {
            command.addAll(List.of("--region", "local-1"));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("HOME", awsHome.toString());
        env.put("AWS_CONFIG_FILE", awsHome.resolve("config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", awsHome.resolve("credentials").toString());
        env.put("AWS_ACCESS_KEY_ID", keyId);
        env.put("AWS_SECRET_ACCESS_KEY", secret);
        env.put("AWS_EC2_METADATA_DISABLED", "true"); // never ask 169.254.169.254 for credentials
        env.put("AWS_PAGER", "");
        env.put("AWS_MAX_ATTEMPTS", "1"); // a refusal is seen as it is, not retried
        env.putAll(environment);
        Process process = builder.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        byte[] out = readAll(process.getInputStream());
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // the process was killed
        }
        return out.toByteArray();
    }

    /**
     * Sends a request signed with this key for {@code service} in {@code region} at {@code time} (headers given are
     * signed too); {@code rawPathAndQuery} is sent as written.
     */
    public HttpResponse<String> signed(String service, String region, Instant time, String method,
            String rawPathAndQuery, Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
        return signedWith(keyId, secret, service, region, time, method, rawPathAndQuery, headers, body);
    }

    /** As {@link #signed}, with any key and secret. */
    public HttpResponse<String> signedWith(String key, String keySecret, String service, String region, Instant time,
            String method, String rawPathAndQuery, Map<String, String> headers, byte[] body)
            throws IOException, InterruptedException {
        URI uri = URI.create(url + rawPathAndQuery);
        Map<String, String> signedHeaders = new LinkedHashMap<>(headers);
        signedHeaders.put("host", uri.getHost() + ":" + uri.getPort());
        signedHeaders.put("x-amz-date", SignatureV4.AMZ_DATE.format(time));
        String authorization = SignatureV4.authorization(key, keySecret, region, service, method, uri.getRawPath(),
                uri.getRawQuery(), signedHeaders, body);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", authorization)
                .header("X-Amz-Date", signedHeaders.get("x-amz-date"));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An EC2 Query call whose signature covers {@code signedForm} but whose body is {@code sentForm}. */
    public HttpResponse<String> signedTampered(String signedForm, String sentForm)
            throws IOException, InterruptedException {
        URI uri = URI.create(url + "/");
        Map<String, String> signedHeaders = new LinkedHashMap<>();
        signedHeaders.put("content-type", "application/x-www-form-urlencoded");
        signedHeaders.put("host", uri.getHost() + ":" + uri.getPort());
        signedHeaders.put("x-amz-date", SignatureV4.AMZ_DATE.format(Instant.now()));
        String authorization = SignatureV4.authorization(keyId, secret, "local-1", "ec2", "POST", "/", null,
                signedHeaders, signedForm.getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofString(sentForm))
                .header("Authorization", authorization)
                .header("X-Amz-Date", signedHeaders.get("x-amz-date"))
                .header("content-type", "application/x-www-form-urlencoded").build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** An EC2 Query call (form body), signed now. */
    public HttpResponse<String> ec2(String form) throws IOException, InterruptedException {
        return signed("ec2", "local-1", Instant.now(), "POST", "/",
                Map.of("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
                form.getBytes(StandardCharsets.UTF_8));
    }

    public Engine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.api().stop();
    }
}
