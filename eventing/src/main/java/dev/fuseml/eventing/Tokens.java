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

    /** The prefix of an org's deployment token: {@code fuseml-org.ORG.MAC}. */
    public static final String ORG_PREFIX = "fuseml-org.";

    /**
     * An org's deployment token: what that org's Jobs and model servers on a cluster, and deliveries to FuseML's
     * steps for that org, present. It is derived from the deployment's system token (HMAC-SHA256 of the org's
     * name), so whoever holds the system token can make it and check it, and nothing needs to store it; it reaches
     * what an org token of that org reaches, and nothing of another org.
     */
    public static String forOrg(String systemToken, String org) {
        return ORG_PREFIX + org + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(systemToken,
                "org/" + org));
    }

    /** The org an org deployment token names, if {@code token} has that form ({@link #forOrg} checks the rest). */
    public static java.util.Optional<String> orgOf(String token) {
        if (token == null || !token.startsWith(ORG_PREFIX)) {
            return java.util.Optional.empty();
        }
        int dot = token.indexOf('.', ORG_PREFIX.length());
        return dot < 0 ? java.util.Optional.empty() : java.util.Optional.of(token.substring(ORG_PREFIX.length(), dot));
    }

    /** The prefix of a run's token: {@code fuseml-run.ORG.APP.RUN.EXPIRES.MAC}. */
    public static final String RUN_PREFIX = "fuseml-run.";

    /** What a run's token names: one run of one app of one org, until {@code expires} (epoch seconds). */
    public record RunClaim(String org, String app, String run, long expires) {
    }

    /**
     * A run's token: what a training Job on a cluster presents, reaching that run only (its log, its artifacts, its
     * app's codeset to read), until it expires. Derived from the system token like {@link #forOrg}, so nothing
     * stores it and it cannot be stretched to another run or a later time.
     */
    public static String forRun(String systemToken, RunClaim claim) {
        String named = claim.org() + "." + claim.app() + "." + claim.run() + "." + claim.expires();
        return RUN_PREFIX + named + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(systemToken,
                "run/" + named));
    }

    /** What a run token names, if {@code token} has that form ({@link #forRun} checks the rest). */
    public static java.util.Optional<RunClaim> runOf(String token) {
        if (token == null || !token.startsWith(RUN_PREFIX)) {
            return java.util.Optional.empty();
        }
        String[] parts = token.substring(RUN_PREFIX.length()).split("\\.", -1);
        if (parts.length != 5 || !parts[3].matches("\\d{1,12}")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new RunClaim(parts[0], parts[1], parts[2], Long.parseLong(parts[3])));
    }

    private static byte[] mac(String key, String message) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hex SHA-256 of a token. */
    public static String sha256(String token) {
        return HexFormat.of().formatHex(digest(token));
    }

    /**
     * Whether {@code token} has a JWT's shape (header.payload.signature, the header base64url JSON): FuseML's own
     * tokens never do, so only such a token may be one a cluster's API server has to review.
     */
    public static boolean looksLikeJwt(String token) {
        return token != null && token.startsWith("eyJ") && token.chars().filter(c -> c == '.').count() == 2;
    }

    public static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
