package dev.nube.engine.functions;

/**
 * A layer in a function's configuration (and in a published version's): its version's ARN and sizes as they were
 * when it was added, so the function keeps showing them after the layer version is deleted.
 *
 * @param codeSize     the layer's zip size (what GetFunction shows as the layer's CodeSize)
 * @param unzippedSize its files' size, counted with the function's code against the 250 MB limit
 */
public record FunctionLayer(String arn, long codeSize, long unzippedSize) {
}
