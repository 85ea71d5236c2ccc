package dev.fuseml.eventing.payload;

/** Data of {@code dev.fuseml.registered}: the model at {@code modelUri} is {@code version} of the app's model. */
public record Registered(int version, String modelUri, String environment) {
}
