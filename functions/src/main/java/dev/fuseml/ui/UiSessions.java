package dev.fuseml.ui;

import dev.fuseml.auth.Principal;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Browser sign-in for the web page: {@code fuseml ui} asks for a one-time code with its token; the browser trades the
 * code (once, within a minute) for a session cookie that stands for the same principal, so the page reaches exactly
 * what the CLI's token reaches, and the token itself never reaches the browser. Sessions live in memory: a restart
 * signs browsers out, and {@code fuseml ui} signs them in again.
 */
@ApplicationScoped
public class UiSessions {
    public static final String COOKIE = "fuseml_ui";
    static final Duration CODE_TTL = Duration.ofSeconds(60);
    static final Duration SESSION_TTL = Duration.ofHours(8);
    /** Sessions kept at most; the oldest go first. */
    static final int MAX_SESSIONS = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Grant(Principal principal, Instant expires) {
    }

    private final Clock clock;
    private final Map<String, Grant> codes = new LinkedHashMap<>();
    private final Map<String, Grant> sessions = new LinkedHashMap<>();

    public UiSessions() {
        this(Clock.systemUTC());
    }

    UiSessions(Clock clock) {
        this.clock = clock;
    }

    /** A code that signs a browser in as {@code principal}, once, within {@link #CODE_TTL}. */
    public synchronized String mint(Principal principal) {
        if (principal.run() != null || principal.delivery()) {
            throw new IllegalArgumentException("a run's or a delivery's token signs no browser in: use a person's "
                    + "token (fuseml login)");
        }
        expire(codes);
        if (codes.size() >= MAX_SESSIONS) {
            codes.remove(codes.keySet().iterator().next());
        }
        String code = random();
        codes.put(code, new Grant(principal, clock.instant().plus(CODE_TTL)));
        return code;
    }

    /** Trades a code for a session id; empty when the code is unknown, used or expired. */
    public synchronized Optional<String> redeem(String code) {
        expire(codes);
        Grant grant = code == null ? null : codes.remove(code);
        if (grant == null) {
            return Optional.empty();
        }
        expire(sessions);
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.remove(sessions.keySet().iterator().next());
        }
        String session = random();
        sessions.put(session, new Grant(grant.principal(), clock.instant().plus(SESSION_TTL)));
        return Optional.of(session);
    }

    /** Who a session cookie stands for, while it lasts. */
    public synchronized Optional<Principal> principal(String session) {
        if (session == null) {
            return Optional.empty();
        }
        Grant grant = sessions.get(session);
        if (grant == null || !grant.expires().isAfter(clock.instant())) {
            sessions.remove(session);
            return Optional.empty();
        }
        return Optional.of(grant.principal());
    }

    public synchronized void end(String session) {
        sessions.remove(session);
    }

    private void expire(Map<String, Grant> grants) {
        Instant now = clock.instant();
        grants.values().removeIf(g -> !g.expires().isAfter(now));
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
