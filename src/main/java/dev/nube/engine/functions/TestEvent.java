package dev.nube.engine.functions;

/** A named test event saved with a function (the console's Test tab); {@code json} is the event's text. */
public record TestEvent(String name, String json) {
}
