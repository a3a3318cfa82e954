package dev.nube.engine.functions;

/**
 * A function's deployment package as Lambda reports it: the zip last uploaded, byte for byte, or (after the code was
 * edited file by file, or for a function made from a blueprint) the code zipped once and kept until the next edit.
 *
 * @param sha256 base64 of the zip's SHA-256, as Lambda's CodeSha256
 * @param size   the zip's size in bytes, as Lambda's CodeSize
 */
public record CodePackage(String sha256, long size) {
}
