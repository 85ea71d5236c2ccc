package dev.fuseml.eventing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * FuseML's tokens, as the CLI makes them ({@code fuseml install}) and the orchestrator makes and checks them: 32
 * random bytes, URL-safe, with a prefix people and secret scanners recognise; kept anywhere but the owner's config
 * only as their SHA-256.
 */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    public static String create() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "fuseml_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The hex SHA-256 of a token. */
    public static String sha256(String token) {
        return HexFormat.of().formatHex(digest(token));
    }

    public static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
