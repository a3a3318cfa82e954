package dev.nube.engine.functions;

/** A row of the functions list: the configuration and what happened in the last 24 hours. */
public record FunctionSummary(FunctionConfiguration configuration, long invocations24h, long errors24h) {
}
