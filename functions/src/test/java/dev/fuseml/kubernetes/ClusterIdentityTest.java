package dev.fuseml.kubernetes;

import dev.fuseml.testing.RbacRules;
import dev.fuseml.testing.SettableClock;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Knative's sender identity against fabric8's mock API server (expectations: a mock cannot review tokens itself).
 * A Broker's delivery token is the org of its service account's namespace only when the API server says it was
 * issued for FuseML's audience; FuseML's own tokens never reach the API server; a token to post to an org's Broker
 * is asked for that Broker's audience and reused. The requests are the ones config/'s RBAC grants.
 */
@EnableKubernetesMockClient
class ClusterIdentityTest {
    private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    private static final String REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    KubernetesClient client;
    KubernetesMockServer server;
    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-27T10:00:00Z"));

    private ClusterIdentity identity() {
        return new ClusterIdentity(client, "fuseml-system", "fuseml", clock);
    }

    private static TokenReview review(boolean authenticated, String user, String... audiences) {
        return new TokenReviewBuilder().withNewStatus().withAuthenticated(authenticated).withAudiences(audiences)
                .withNewUser().withUsername(user).endUser().endStatus().build();
    }

    @Test
    void aTokenIssuedForFusemlToAnOrgsServiceAccountIsThatOrgsDeliveryAndIsReviewedOncePerMinute() throws Exception {
        server.expect().post().withPath(REVIEWS).andReturn(201, review(true,
                "system:serviceaccount:team-a:oidc-fuseml-train-trigger", "fuseml")).times(2);
        ClusterIdentity identity = identity();

        assertThat(identity.orgOf(JWT)).contains("team-a");
        assertThat(identity.orgOf(JWT)).as("from the cache").contains("team-a");
        assertThat(server.getRequestCount()).isEqualTo(1);
        String sent = server.takeRequest().getBody().readUtf8();
        assertThat(sent).contains("\"audiences\":[\"fuseml\"]").contains(JWT);

        clock.set(clock.instant().plus(ClusterIdentity.REVIEWED_FOR).plusSeconds(1));
        assertThat(identity.orgOf(JWT)).contains("team-a");
        assertThat(server.getRequestCount()).as("reviewed again once the cache entry is old").isEqualTo(2);
    }

    @Test
    void aTokenTheApiServerRefusesOrIssuedForAnotherAudienceOrUserIsNobodys() {
        record Case(String name, TokenReview answer) {
        }
        for (Case c : List.of(
                new Case("not authenticated", review(false, "system:serviceaccount:team-a:x", "fuseml")),
                new Case("another audience", review(true, "system:serviceaccount:team-a:x", "vault")),
                new Case("a person, not a service account", review(true, "alice@example.com", "fuseml")),
                new Case("a namespace that is no org name", review(true, "system:serviceaccount:Team_A:x",
                        "fuseml")))) {
            server.expect().post().withPath(REVIEWS).andReturn(201, c.answer()).once();
            assertThat(identity().orgOf(JWT)).as(c.name()).isEmpty();
        }
        server.expect().post().withPath(REVIEWS).andReturn(403, "forbidden").once();
        assertThat(identity().orgOf(JWT)).as("the review itself refused").isEmpty();
    }

    @Test
    void fusemlsOwnTokensNeverReachTheApiServer() {
        ClusterIdentity identity = identity();
        assertThat(identity.orgOf("fuseml_0123456789abcdef")).isEmpty();
        assertThat(identity.orgOf("team-a.abc")).isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aTokenToPostToAnOrgsBrokerIsAskedForItsAudienceAndReusedAndTheRbacAllowsExactlyThat() throws Exception {
        GenericKubernetesResource broker = new GenericKubernetesResourceBuilder()
                .withApiVersion("eventing.knative.dev/v1").withKind("Broker").withNewMetadata().withName("default")
                .withNamespace("team-a").endMetadata().build();
        broker.getAdditionalProperties().put("status", Map.of("address", Map.of("audience",
                "eventing.knative.dev/broker/team-a/default")));
        server.expect().get().withPath("/apis/eventing.knative.dev/v1/namespaces/team-a/brokers/default")
                .andReturn(200, broker).once();
        server.expect().post().withPath("/api/v1/namespaces/fuseml-system/serviceaccounts/fuseml/token")
                .andReturn(201, new TokenRequestBuilder().withNewStatus().withToken("issued-token")
                        .withExpirationTimestamp("2026-11-27T11:00:00Z").endStatus().build()).once();
        server.expect().post().withPath(REVIEWS).andReturn(201, review(true, "system:serviceaccount:team-a:x",
                "fuseml")).once();
        ClusterIdentity identity = identity();

        assertThat(identity.brokerAuthorization("team-a")).contains("Bearer issued-token");
        assertThat(identity.brokerAuthorization("team-a")).as("reused").contains("Bearer issued-token");
        identity.orgOf(JWT);
        assertThat(server.getRequestCount()).isEqualTo(3);
        var requests = RbacRules.drain(server);
        assertThat(requests).contains(new RbacRules.Request("create", "", "serviceaccounts/token", "fuseml"));

        Path rbac = Path.of("..", "config", "10-serviceaccount.yaml");
        RbacRules.read(rbac, Set.of("fuseml-delivery-auth")).assertAllowsExactly(requests.stream()
                .filter(r -> r.resource().equals("tokenreviews")).toList());
        RbacRules.read(rbac, Set.of("fuseml-broker-tokens")).assertAllowsExactly(requests.stream()
                .filter(r -> r.resource().equals("serviceaccounts/token")).toList());
        RbacRules steps = RbacRules.read(rbac, Set.of("fuseml-steps"));
        assertThat(requests).filteredOn(r -> r.resource().equals("brokers"))
                .allSatisfy(r -> assertThat(steps.allows(r)).as(r + " is allowed").isTrue());
    }

    @Test
    void aBrokerThatAnnouncesNoAudienceGetsNoToken() {
        server.expect().get().withPath("/apis/eventing.knative.dev/v1/namespaces/team-a/brokers/default")
                .andReturn(404, "not found").always();
        assertThat(identity().brokerAuthorization("team-a")).isEqualTo(Optional.empty());
    }

    @Test
    void onlyJwtShapedTokensAreReviewed() {
        assertThat(dev.fuseml.eventing.Tokens.looksLikeJwt(JWT)).isTrue();
        assertThat(dev.fuseml.eventing.Tokens.looksLikeJwt("fuseml_abc")).isFalse();
        assertThat(dev.fuseml.eventing.Tokens.looksLikeJwt("eyJonly.one")).isFalse();
        assertThat(Duration.ofSeconds(ClusterIdentity.TOKEN_SECONDS)).isEqualTo(Duration.ofHours(1));
    }
}
