package dev.nube.javaruntime;

import com.amazonaws.services.lambda.runtime.Context;

/** A loaded handler: takes an event's bytes and gives the response's, or throws what the function threw. */
@FunctionalInterface
interface Handler {
    byte[] handle(byte[] event, Context context) throws Throwable;
}
