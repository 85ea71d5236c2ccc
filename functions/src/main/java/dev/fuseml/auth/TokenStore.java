package dev.fuseml.auth;

import dev.fuseml.FusemlConfig;
import dev.fuseml.eventing.Names;
import dev.fuseml.state.JsonFiles;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Org tokens ({@code fuseml tokens create --org ORG}), kept as SHA-256 hashes only: the token itself is shown once,
 * when it is made, as GitHub shows a personal access token. One JSON file, {@code auth/tokens.json}.
 */
@ApplicationScoped
public class TokenStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_TOKENS = 1000;

    /** A token as stored and listed: never the token, only its hash. */
    public record StoredToken(String id, String org, String description, Instant created, String sha256) {
    }

    /** The answer to a create: the only time the token is seen. */
    public record Issued(String id, String org, String description, Instant created, String token) {
    }

    private record Tokens(List<StoredToken> tokens) {
    }

    private final Path file;
    /** The file's tokens, read once: every authenticated request looks them up. */
    private volatile List<StoredToken> cached;

    public TokenStore(FusemlConfig config) {
        this.file = config.dataDir().resolve("auth").resolve("tokens.json");
    }

    public synchronized Issued create(String org, String description) {
        Names.require("org", org);
        String text = description == null ? "" : description.strip();
        if (text.length() > 200 || text.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the description must be at most 200 characters on one line");
        }
        List<StoredToken> tokens = new ArrayList<>(list());
        if (tokens.size() >= MAX_TOKENS) {
            throw new IllegalArgumentException("there are " + MAX_TOKENS + " tokens already: delete unused ones "
                    + "(fuseml tokens delete ID)");
        }
        String token = dev.fuseml.eventing.Tokens.create();
        String id = "tok-" + HexFormat.of().formatHex(randomBytes(4));
        StoredToken stored = new StoredToken(id, org, text, Instant.now(),
                dev.fuseml.eventing.Tokens.sha256(token));
        tokens.add(stored);
        save(tokens);
        return new Issued(id, org, text, stored.created(), token);
    }

    public List<StoredToken> list() {
        List<StoredToken> tokens = cached;
        if (tokens == null) {
            synchronized (this) {
                if (cached == null) {
                    cached = JsonFiles.read(file, Tokens.class).map(Tokens::tokens).map(List::copyOf)
                            .orElse(List.of());
                }
                tokens = cached;
            }
        }
        return tokens;
    }

    private void save(List<StoredToken> tokens) {
        JsonFiles.write(file, new Tokens(tokens));
        cached = List.copyOf(tokens);
    }

    public synchronized boolean delete(String id) {
        List<StoredToken> tokens = new ArrayList<>(list());
        boolean removed = tokens.removeIf(t -> t.id().equals(id));
        if (removed) {
            save(tokens);
        }
        return removed;
    }

    /** The stored token whose hash is {@code sha256}. */
    public Optional<StoredToken> find(byte[] sha256) {
        for (StoredToken t : list()) {
            if (java.security.MessageDigest.isEqual(HexFormat.of().parseHex(t.sha256()), sha256)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
