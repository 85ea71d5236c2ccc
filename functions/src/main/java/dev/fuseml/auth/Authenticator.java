package dev.fuseml.auth;

import dev.fuseml.eventing.Tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Turns an Authorization header into a {@link Principal}. Tokens exist once an admin token's hash
 * ({@code fuseml.admin-token-sha256}, which {@code fuseml install} sets) or a system token
 * ({@code fuseml.system-token}, shared by the processes of one deployment) is configured; without either, nothing is
 * required, as for an orchestrator started by hand for development. Tokens are compared by their SHA-256 in constant
 * time, so neither the time of a refusal nor a stored hash gives a token away.
 */
public class Authenticator {
    private final boolean enabled;
    private final String systemToken;
    private final byte[] systemHash;
    private final Optional<byte[]> adminHash;
    private final TokenStore tokens;
    private final boolean controlPlane;
    private final java.util.function.Function<String, Optional<String>> deliveries;
    private final boolean hasDeliveries;
    private final java.time.Clock clock;

    /**
     * @param adminTokenSha256 the admin token's hash, if any
     * @param systemToken      the deployment's token, if configured
     * @param controlPlane     whether org tokens are known here (a single function knows only the system token)
     */
    public Authenticator(Optional<String> adminTokenSha256, Optional<String> systemToken, boolean controlPlane,
            TokenStore tokens) {
        this(adminTokenSha256, systemToken, controlPlane, tokens, null);
    }

    /**
     * @param deliveries the org a broker's delivery token speaks for (on a cluster: Knative's sender identity, see
     *                   kubernetes/ClusterIdentity), or empty for any other token
     */
    public Authenticator(Optional<String> adminTokenSha256, Optional<String> systemToken, boolean controlPlane,
            TokenStore tokens, java.util.function.Function<String, Optional<String>> deliveries) {
        this(adminTokenSha256, systemToken, controlPlane, tokens, deliveries, java.time.Clock.systemUTC());
    }

    /** @param clock when run tokens expire */
    public Authenticator(Optional<String> adminTokenSha256, Optional<String> systemToken, boolean controlPlane,
            TokenStore tokens, java.util.function.Function<String, Optional<String>> deliveries,
            java.time.Clock clock) {
        this.clock = clock;
        this.hasDeliveries = deliveries != null;
        this.deliveries = deliveries != null ? deliveries : token -> Optional.empty();
        this.adminHash = adminTokenSha256.filter(h -> !h.isBlank()).map(Authenticator::parseHash);
        this.enabled = adminHash.isPresent() || systemToken.filter(t -> !t.isBlank()).isPresent();
        // Without a configured one, the steps of the embedded default share a token made at start-up: nothing
        // outside this process learns it, and nothing stored holds it.
        this.systemToken = systemToken.filter(t -> !t.isBlank()).orElseGet(Tokens::create);
        this.systemHash = Tokens.digest(this.systemToken);
        this.tokens = tokens;
        this.controlPlane = controlPlane;
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Whether authenticating {@code authorization} may ask another service (a delivery token the cluster's API server
     * reviews): then it must not run on an event loop.
     */
    public boolean needsLookup(String authorization) {
        return hasDeliveries && token(authorization).filter(Tokens::looksLikeJwt).isPresent();
    }

    /** The Authorization header this process sends to the control plane, the broker and its own steps. */
    public String systemAuthorization() {
        return "Bearer " + systemToken;
    }

    /** The token this process sends, for clients that take it alone (git's basic password). */
    public String systemToken() {
        return systemToken;
    }

    /**
     * The principal of {@code authorization} ({@code Bearer TOKEN}, or {@code Basic} with the token as password, which
     * is how git sends it), or empty when it names none.
     */
    public Optional<Principal> authenticate(String authorization) {
        Optional<String> token = token(authorization);
        if (token.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = Tokens.digest(token.get());
        if (MessageDigest.isEqual(hash, systemHash)) {
            return Optional.of(Principal.SYSTEM);
        }
        if (adminHash.isPresent() && MessageDigest.isEqual(hash, adminHash.get())) {
            return Optional.of(Principal.ADMIN);
        }
        Optional<Principal> delivery = deliveries.apply(token.get()).map(Principal::deliveryOf);
        if (delivery.isPresent()) {
            return delivery;
        }
        if (!controlPlane) {
            return Optional.empty(); // a single function takes its deployment's token only
        }
        Optional<String> org = Tokens.orgOf(token.get()).filter(dev.fuseml.eventing.Names::valid);
        if (org.isPresent() && MessageDigest.isEqual(hash, Tokens.digest(Tokens.forOrg(systemToken, org.get())))) {
            return Optional.of(new Principal("deployment-" + org.get(), org.get()));
        }
        Optional<Tokens.RunClaim> run = Tokens.runOf(token.get()).filter(c -> dev.fuseml.eventing.Names.valid(c.org())
                && dev.fuseml.eventing.Names.valid(c.app()) && dev.fuseml.step.RunRef.validId(c.run()));
        if (run.isPresent() && MessageDigest.isEqual(hash, Tokens.digest(Tokens.forRun(systemToken, run.get())))) {
            if (run.get().expires() < clock.instant().getEpochSecond()) {
                return Optional.empty(); // its run has ended long since: the token goes with it
            }
            return Optional.of(Principal.ofRun(run.get().org(), run.get().app(), run.get().run()));
        }
        return tokens.find(hash).map(t -> new Principal(t.id(), t.org()));
    }

    static Optional<String> token(String authorization) {
        if (authorization == null || authorization.length() > 4096) {
            return Optional.empty();
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        String scheme = value.substring(0, space);
        String credentials = value.substring(space + 1).strip();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return credentials.isEmpty() ? Optional.empty() : Optional.of(credentials);
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            try {
                String pair = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return colon < 0 || colon == pair.length() - 1 ? Optional.empty()
                        : Optional.of(pair.substring(colon + 1));
            } catch (IllegalArgumentException notBase64) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static byte[] parseHash(String hex) {
        if (!hex.strip().matches("[0-9a-fA-F]{64}")) {
            throw new IllegalStateException("fuseml.admin-token-sha256 must be the 64 hex digits of the admin "
                    + "token's SHA-256 (fuseml install sets it)");
        }
        return java.util.HexFormat.of().parseHex(hex.strip());
    }
}
