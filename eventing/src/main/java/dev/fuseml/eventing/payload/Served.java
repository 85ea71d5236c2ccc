package dev.fuseml.eventing.payload;

/** Data of {@code dev.fuseml.served}: {@code version} answers predictions at {@code url}. */
public record Served(int version, String url) {
}
