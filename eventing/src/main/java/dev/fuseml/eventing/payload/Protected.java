package dev.fuseml.eventing.payload;

/**
 * Data of {@code dev.fuseml.protected}: from now on the app's prediction URL requires the token whose SHA-256 this
 * is ({@code Authorization: Bearer TOKEN}), or, when it is null, no token.
 *
 * @param app         the app (also the event's subject and {@code fusemlapp})
 * @param tokenSha256 hex SHA-256 of the prediction token, or null to open the URL again
 */
public record Protected(String app, String tokenSha256) {
}
