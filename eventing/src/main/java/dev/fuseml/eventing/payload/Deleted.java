package dev.fuseml.eventing.payload;

/**
 * Data of {@code dev.fuseml.deleted}: the app is being deleted; whatever serves or holds it lets go.
 *
 * @param app the app (also the event's subject and {@code fusemlapp})
 */
public record Deleted(String app) {
}
