package dev.fuseml.kubernetes;

import dev.fuseml.eventing.Tokens;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knative Eventing's sender identity (the {@code authentication-oidc} feature), both ways. A Knative Broker delivers
 * to a Trigger's subscriber with a service account token issued for the subscriber's {@code audience}; FuseML's
 * Triggers give {@value #AUDIENCE}, and this asks the API server (TokenReview) whether a token is one, and of which
 * namespace, that is, which org. The other way, a Broker takes events only with a token for its own audience (in its
 * status): this process asks for one for its own service account (TokenRequest). Both are cached, so that a delivery
 * costs no API call while its token is fresh.
 */
public class ClusterIdentity {
    /** The OIDC audience of every FuseML function and of the control plane (the Triggers' {@code audience}). */
    public static final String AUDIENCE = "fuseml";
    static final Duration REVIEWED_FOR = Duration.ofMinutes(1);
    static final long TOKEN_SECONDS = 3600;
    private static final int MAX_CACHED = 4096;
    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    private final KubernetesClient client;
    private final String namespace;
    private final String serviceAccount;
    private final Clock clock;
    private final Map<String, Expiring<Optional<String>>> reviewed = new ConcurrentHashMap<>();
    private final Map<String, Expiring<Optional<String>>> brokerTokens = new ConcurrentHashMap<>();

    private record Expiring<T>(T value, Instant until) {
    }

    /**
     * @param namespace      this pod's namespace
     * @param serviceAccount this pod's service account, for which broker tokens are requested
     */
    public ClusterIdentity(KubernetesClient client, String namespace, String serviceAccount, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.serviceAccount = serviceAccount;
        this.clock = clock;
    }


    /**
     * The org whose broker delivered with {@code token}: the namespace of the service account the API server says
     * the token is of, when it was issued for {@value #AUDIENCE}; empty for any other token.
     */
    public Optional<String> orgOf(String token) {
        if (!Tokens.looksLikeJwt(token)) { // FuseML's own tokens cost no API call
            return Optional.empty();
        }
        String key = HexFormat.of().formatHex(Tokens.digest(token));
        Instant now = clock.instant();
        Expiring<Optional<String>> cached = reviewed.get(key);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.value();
        }
        Optional<String> org = review(token);
        if (reviewed.size() >= MAX_CACHED) {
            reviewed.clear(); // a flood of distinct tokens must not grow the heap
        }
        reviewed.put(key, new Expiring<>(org, now.plus(REVIEWED_FOR)));
        return org;
    }

    private Optional<String> review(String token) {
        TokenReview answer;
        try {
            answer = client.authentication().v1().tokenReviews().create(new TokenReviewBuilder().withNewSpec()
                    .withToken(token).withAudiences(AUDIENCE).endSpec().build());
        } catch (KubernetesClientException e) {
            System.getLogger(ClusterIdentity.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot review a delivery's token (" + e.getCode() + "): is tokenreviews create granted to "
                            + "this service account? (config/10-serviceaccount.yaml)");
            return Optional.empty();
        }
        if (answer == null || answer.getStatus() == null
                || !Boolean.TRUE.equals(answer.getStatus().getAuthenticated())
                || answer.getStatus().getAudiences() == null
                || !answer.getStatus().getAudiences().contains(AUDIENCE)
                || answer.getStatus().getUser() == null) {
            return Optional.empty();
        }
        String user = answer.getStatus().getUser().getUsername();
        if (user == null || !user.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = user.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
        return parts.length == 2 && dev.fuseml.eventing.Names.valid(parts[0]) ? Optional.of(parts[0])
                : Optional.empty();
    }

    /**
     * The Authorization header for posting to {@code org}'s Broker: a token of this pod's service account for the
     * Broker's audience, or empty where the Broker announces none (sender identity is off on that cluster).
     */
    public Optional<String> brokerAuthorization(String org) {
        Instant now = clock.instant();
        Expiring<Optional<String>> cached = brokerTokens.get(org);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.value();
        }
        Optional<String> audience = brokerAudience(org);
        Optional<String> header = audience.map(a -> {
            TokenRequest issued = client.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
                    .tokenRequest(new TokenRequestBuilder().withNewSpec().withAudiences(a)
                            .withExpirationSeconds(TOKEN_SECONDS).endSpec().build());
            return "Bearer " + issued.getStatus().getToken();
        });
        // renewed well before it expires; a Broker without an audience is asked again soon (it may be reconciling)
        brokerTokens.put(org, new Expiring<>(header, now.plus(header.isPresent()
                ? Duration.ofSeconds(TOKEN_SECONDS / 2) : REVIEWED_FOR)));
        return header;
    }

    /** The OIDC audience {@code org}'s Broker announces in its status, if any. */
    public Optional<String> brokerAudience(String org) {
        return brokerAudience(client, org);
    }

    /** As {@link #brokerAudience(String)}, for what makes pods that post to the Broker (a projected token). */
    public static Optional<String> brokerAudience(KubernetesClient client, String org) {
        GenericKubernetesResource broker = client.genericKubernetesResources(KnativeKinds.BROKER).inNamespace(org)
                .withName("default").get();
        if (broker == null || !(broker.getAdditionalProperties().get("status") instanceof Map<?, ?> status)
                || !(status.get("address") instanceof Map<?, ?> address)) {
            return Optional.empty();
        }
        return Optional.ofNullable(address.get("audience")).map(Object::toString).filter(a -> !a.isBlank());
    }
}
