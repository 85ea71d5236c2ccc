package dev.fuseml.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** The admin token {@code fuseml install} makes: the CLI keeps the token, the orchestrator only its SHA-256. */
final class AdminToken {
    private AdminToken() {
    }

    static String create() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "fuseml_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
