package dev.nube.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API's door: every request signed with SigV4 by an active key of the data folder, refused otherwise in the words
 * of the service it was for, and a refused request changes nothing. Checked with the real aws CLI and with raw
 * signed requests.
 */
class ApiServerTest extends ApiTestBase {
    @Test
    void theCliIsAnsweredWhenItSignsWithAnActiveKey() throws Exception {
        var regions = api.aws("ec2", "describe-regions").ok().json();
        assertEquals("local-1", regions.get("Regions").get(0).get("RegionName").asText());
        assertEquals(1000, api.aws("lambda", "get-account-settings").ok().json().get("AccountLimit")
                .get("ConcurrentExecutions").asInt());
        assertTrue(engine.accessKeys().list().stream().anyMatch(k -> k.id().equals(api.keyId())
                && k.lastUsedAt() != null), "the key's last use is noted");
    }

    @Test
    void theKeysFileIsTheOwnersOnly() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                engine.accessKeys().file())));
        assertTrue(Files.readString(engine.accessKeys().file()).contains(api.secret()));
    }

    @Test
    void aWrongSecretIsRefusedInEachServicesWords() throws Exception {
        Map<String, String> wrong = Map.of("AWS_SECRET_ACCESS_KEY", "x" + api.secret().substring(1));
        assertRefused(api.aws(wrong, 60, "ec2", "describe-regions"), "SignatureDoesNotMatch");
        assertRefused(api.aws(wrong, 60, "lambda", "get-account-settings"), "InvalidSignatureException");
        assertRefused(api.aws(wrong, 60, "logs", "describe-log-groups"), "InvalidSignatureException");
    }

    @Test
    void anUnknownKeyIsRefused() throws Exception {
        Map<String, String> unknown = Map.of("AWS_ACCESS_KEY_ID", "AKIAAAAAAAAAAAAAAAAA");
        assertRefused(api.aws(unknown, 60, "ec2", "describe-regions"), "InvalidClientTokenId");
        assertRefused(api.aws(unknown, 60, "lambda", "get-account-settings"), "UnrecognizedClientException");
        assertRefused(api.aws(unknown, 60, "logs", "describe-log-groups"), "UnrecognizedClientException");
    }

    @Test
    void anUnsignedRequestIsRefused() throws Exception {
        assertRefused(api.aws(Map.of(), 60, "--no-sign-request", "ec2", "describe-regions"),
                "MissingAuthenticationToken");
        assertRefused(api.aws(Map.of(), 60, "--no-sign-request", "lambda", "get-account-settings"),
                "MissingAuthenticationTokenException");
    }

    @Test
    void aRequestSignedMoreThanFifteenMinutesAgoIsRefused() throws Exception {
        HttpResponse<String> old = api.signed("ec2", "local-1", Instant.now().minus(Duration.ofMinutes(16)), "POST",
                "/", Map.of("content-type", "application/x-www-form-urlencoded"),
                "Action=DescribeRegions&Version=2016-11-15".getBytes(StandardCharsets.UTF_8));
        assertEquals(403, old.statusCode());
        assertTrue(old.body().contains("<Code>RequestExpired</Code>"), old.body());
        HttpResponse<String> lambda = api.signed("lambda", "local-1", Instant.now().plus(Duration.ofMinutes(16)),
                "GET", "/2016-08-19/account-settings/", Map.of(), new byte[0]);
        assertEquals(403, lambda.statusCode());
        assertEquals("InvalidSignatureException", lambda.headers().firstValue("x-amzn-errortype").orElseThrow());
        assertTrue(lambda.body().contains("Signature expired"), lambda.body());
        HttpResponse<String> recent = api.signed("ec2", "local-1", Instant.now().minus(Duration.ofMinutes(14)),
                "POST", "/", Map.of("content-type", "application/x-www-form-urlencoded"),
                "Action=DescribeRegions&Version=2016-11-15".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, recent.statusCode(), recent.body());
    }

    @Test
    void aBodyChangedAfterSigningIsRefusedAndChangesNothing() throws Exception {
        String form = "Action=CreateKeyPair&Version=2016-11-15&KeyName=signed-name";
        // Signed with one body, sent with another: the canonical request differs.
        HttpResponse<String> response = api.signedTampered(form, form.replace("signed-name", "other-name"));
        assertEquals(403, response.statusCode());
        assertTrue(response.body().contains("<Code>SignatureDoesNotMatch</Code>"), response.body());
        assertTrue(engine.keyPairs().list("local-1").items().isEmpty(), "no key pair was made");
    }

    @Test
    void anInactiveOrDeletedKeyIsRefusedAndAKeyMadeByAnotherProcessIsAccepted() throws Exception {
        // As nube credentials does it: the keys' file written by another AccessKeys (another process).
        AccessKeyService.Created other = new AccessKeys(engine.home()).create("made elsewhere");
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", other.key().id(), "AWS_SECRET_ACCESS_KEY",
                other.secretAccessKey());
        api.aws(env, 60, "ec2", "describe-regions").ok();
        engine.accessKeys().setActive(other.key().id(), false);
        assertRefused(api.aws(env, 60, "ec2", "describe-regions"), "InvalidClientTokenId");
        engine.accessKeys().setActive(other.key().id(), true);
        api.aws(env, 60, "ec2", "describe-regions").ok();
        engine.accessKeys().delete(other.key().id());
        assertRefused(api.aws(env, 60, "ec2", "describe-regions"), "InvalidClientTokenId");
    }

    @Test
    void aRegionNubeDoesNotHaveIsRefused() throws Exception {
        var result = api.aws(Map.of(), 60, "ec2", "describe-regions", "--region", "us-east-1");
        assertRefused(result, "InvalidRegion");
        assertTrue(result.err().contains("local-1"), "the answer names the regions there are: " + result.err());
    }

    @Test
    void aSignatureForAnotherServiceIsRefused() throws Exception {
        HttpResponse<String> response = api.signed("lambda", "local-1", Instant.now(), "POST", "/",
                Map.of("content-type", "application/x-www-form-urlencoded"),
                "Action=DescribeRegions&Version=2016-11-15".getBytes(StandardCharsets.UTF_8));
        // Scoped to lambda, so worded as Lambda words it; Lambda serves nothing at "/".
        assertEquals(404, response.statusCode(), response.body());
    }

    @Test
    void anUnsignedRequestIsRefusedWithoutItsBodyBeingKeptAndABadSignatureIsAClientError() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        byte[] large = new byte[4 * 1024 * 1024];
        java.util.Arrays.fill(large, (byte) 'a');
        HttpResponse<String> unsigned = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(api.url() + "/")).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(large))
                .header("content-type", "application/x-www-form-urlencoded").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unsigned.statusCode());
        assertTrue(unsigned.body().contains("<Code>MissingAuthenticationToken</Code>"), unsigned.body());
        String date = SignatureV4.AMZ_DATE.format(Instant.now());
        HttpResponse<String> odd = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(api.url() + "/")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "Action=DescribeRegions&Version=2016-11-15"))
                .header("X-Amz-Date", date)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + api.keyId() + "/" + date.substring(0, 8)
                        + "/local-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, odd.statusCode());
        assertTrue(odd.body().contains("<Code>IncompleteSignature</Code>"), odd.body());
    }

    private static void assertRefused(ApiTestSupport.Result result, String code) {
        assertTrue(result.exit() != 0, "refused: " + result.out());
        assertTrue(result.err().contains("(" + code + ")"), "expected " + code + " in: " + result.err());
    }
}
