package dev.nube.engine.store;

import java.util.List;

/** What a collection holds: the documents that could be read, and a problem for each one that could not. */
public record Listing<T>(List<T> items, List<StoreProblem> problems) {
    public Listing {
        items = List.copyOf(items);
        problems = List.copyOf(problems);
    }
}
