package dev.fuseml.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signatures as each host documents them, against the published vectors (conformance/webhooks/hmac-vectors.json). */
class ProviderTest {
    private static JsonNode vectors() throws Exception {
        try (InputStream in = ProviderTest.class.getResourceAsStream("/conformance/webhooks/hmac-vectors.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static Function<String, String> headers(Map<String, String> values) {
        return name -> values.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    @Test
    void githubAndGiteaSignaturesOfTheOfficialVectorAreTakenAndATamperedBodyIsNot() throws Exception {
        JsonNode vector = vectors().path("vectors").get(0);
        String secret = vector.path("secret").asText();
        byte[] body = vector.path("payload_utf8").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(Provider.hmac(secret.getBytes(StandardCharsets.UTF_8), body))
                .isEqualTo(vector.path("hmac_sha256_hex").asText());
        String github = vector.path("expected_headers").path("github").path("X-Hub-Signature-256").asText();
        String gitea = vector.path("expected_headers").path("gitea").path("X-Gitea-Signature").asText();
        assertThat(Provider.GITHUB.verified(headers(Map.of("X-Hub-Signature-256", github)), body, secret)).isTrue();
        assertThat(Provider.GITEA.verified(headers(Map.of("X-Gitea-Signature", gitea)), body, secret)).isTrue();

        JsonNode tampered = vectors().path("vectors").get(1);
        byte[] other = tampered.path("payload_utf8").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(Provider.GITHUB.verified(headers(Map.of("X-Hub-Signature-256",
                tampered.path("must_not_match").asText())), other, secret)).isFalse();
        assertThat(Provider.GITHUB.verified(headers(Map.of("X-Hub-Signature-256", github)), body, "another secret"))
                .isFalse();
        assertThat(Provider.GITHUB.verified(headers(Map.of()), body, secret)).as("no signature").isFalse();
        assertThat(Provider.GITHUB.verified(headers(Map.of("X-Hub-Signature-256", gitea)), body, secret))
                .as("github's header needs its sha256= prefix").isFalse();
    }

    @Test
    void gitlabSendsItsSecretTokenWhichMustMatchExactly() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertThat(Provider.GITLAB.verified(headers(Map.of("X-Gitlab-Token", "s3cret")), body, "s3cret")).isTrue();
        assertThat(Provider.GITLAB.verified(headers(Map.of("X-Gitlab-Token", "S3CRET")), body, "s3cret")).isFalse();
        assertThat(Provider.GITLAB.verified(headers(Map.of()), body, "s3cret")).isFalse();
    }

    @Test
    void eachHostNamesItsPushEventAndDeliveryItsOwnWay() {
        assertThat(Provider.GITHUB.isPush(headers(Map.of("X-GitHub-Event", "push")))).isTrue();
        assertThat(Provider.GITHUB.isPush(headers(Map.of("X-GitHub-Event", "ping")))).isFalse();
        assertThat(Provider.GITEA.isPush(headers(Map.of("X-Gitea-Event", "push")))).isTrue();
        assertThat(Provider.GITLAB.isPush(headers(Map.of("X-Gitlab-Event", "Push Hook")))).isTrue();
        assertThat(Provider.GITLAB.isPush(headers(Map.of("X-Gitlab-Event", "Tag Push Hook")))).isFalse();
        assertThat(Provider.GITHUB.delivery(headers(Map.of("X-GitHub-Delivery", "d-1")))).isEqualTo("d-1");
        assertThatThrownBy(() -> Provider.parse("bitbucket")).hasMessageContaining("github, gitea or gitlab");
    }
}
