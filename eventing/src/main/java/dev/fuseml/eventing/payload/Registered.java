package dev.fuseml.eventing.payload;

/** Data of {@code dev.fuseml.registered}: the model is stored as {@code version} of the app's model. */
public record Registered(int version, String modelUri) {
}
