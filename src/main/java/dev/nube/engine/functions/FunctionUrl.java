package dev.nube.engine.functions;

/**
 * A function URL as Lambda's FunctionUrlConfig shows it: its function (with the alias's name after it in the ARN for
 * an alias's URL), the address to call and the stored settings.
 *
 * @param url where the URL is served now, e.g. {@code http://<url-id>.lambda-url.<region>.localhost:4591/}; null
 *            while the endpoint cannot listen (see {@link FunctionUrlService#endpointProblem()})
 */
public record FunctionUrl(String region, String functionName, String functionArn, String url,
        FunctionUrlConfig config) {
    /** The alias the URL invokes through, or null for $LATEST's (read from its function ARN). */
    public String qualifier() {
        String[] parts = functionArn.split(":");
        return parts.length > 7 ? parts[7] : null;
    }
}
