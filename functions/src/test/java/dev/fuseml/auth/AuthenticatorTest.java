package dev.fuseml.auth;

import dev.fuseml.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthenticatorTest {
    private static final String ADMIN = "fuseml_admin-token-for-tests";

    @TempDir
    Path dir;

    private Authenticator controlPlane(TokenStore tokens) {
        return new Authenticator(Optional.of(dev.fuseml.eventing.Tokens.sha256(ADMIN)), Optional.empty(), true, tokens);
    }

    @Test
    void withoutAnyConfiguredTokenNothingIsRequired() {
        Authenticator auth = new Authenticator(Optional.empty(), Optional.empty(), true, new TokenStore(
                new TestConfig(dir)));
        assertThat(auth.enabled()).isFalse();
        assertThat(auth.authenticate(auth.systemAuthorization())).contains(Principal.SYSTEM);
    }

    @Test
    void theAdminTokenIsTakenAsBearerOrAsGitsBasicPassword() {
        Authenticator auth = controlPlane(new TokenStore(new TestConfig(dir)));
        assertThat(auth.enabled()).isTrue();
        assertThat(auth.authenticate("Bearer " + ADMIN)).contains(Principal.ADMIN);
        String basic = Base64.getEncoder().encodeToString(("anyone:" + ADMIN).getBytes(StandardCharsets.UTF_8));
        assertThat(auth.authenticate("Basic " + basic)).contains(Principal.ADMIN);
        assertThat(auth.authenticate("Bearer " + ADMIN + "x")).isEmpty();
        assertThat(auth.authenticate(ADMIN)).isEmpty();
        assertThat(auth.authenticate("Basic !!!not-base64")).isEmpty();
        assertThat(auth.authenticate(null)).isEmpty();
        assertThat(auth.authenticate("Bearer " + "x".repeat(10_000))).isEmpty();
    }

    @Test
    void anOrgTokenReachesItsOrgOnlyAndStopsWorkingWhenDeleted() {
        TokenStore tokens = new TokenStore(new TestConfig(dir));
        TokenStore.Issued issued = tokens.create("team", "ci");
        Authenticator auth = controlPlane(tokens);
        Principal principal = auth.authenticate("Bearer " + issued.token()).orElseThrow();
        assertThat(principal.reaches("team")).isTrue();
        assertThat(principal.reaches("other")).isFalse();
        assertThat(principal.unrestricted()).isFalse();
        // stored as a hash only, and found again after a restart
        assertThat(tokens.list()).singleElement().satisfies(t -> assertThat(t.sha256()).doesNotContain(
                issued.token()));
        assertThat(controlPlane(new TokenStore(new TestConfig(dir))).authenticate("Bearer " + issued.token()))
                .isPresent();
        assertThat(tokens.delete(issued.id())).isTrue();
        assertThat(auth.authenticate("Bearer " + issued.token())).isEmpty();
    }

    @Test
    void anOrgsDeploymentTokenIsDerivedFromTheSystemTokenAndReachesThatOrgOnly() {
        String system = "fuseml_system-token-for-tests";
        Authenticator auth = new Authenticator(Optional.of(dev.fuseml.eventing.Tokens.sha256(ADMIN)),
                Optional.of(system), true, new TokenStore(new TestConfig(dir)));
        String workspace = dev.fuseml.eventing.Tokens.forOrg(system, "workspace");
        assertThat(auth.authenticate("Bearer " + workspace)).hasValueSatisfying(p -> {
            assertThat(p.org()).isEqualTo("workspace");
            assertThat(p).isNotEqualTo(Principal.SYSTEM);
        });
        // another org's name with this org's MAC, a MAC from another system token, a truncated one: nobody
        String forged = workspace.replace("fuseml-org.workspace.", "fuseml-org.rival.");
        assertThat(auth.authenticate("Bearer " + forged)).isEmpty();
        assertThat(auth.authenticate("Bearer " + dev.fuseml.eventing.Tokens.forOrg("another-system", "workspace")))
                .isEmpty();
        assertThat(auth.authenticate("Bearer " + workspace.substring(0, workspace.length() - 2))).isEmpty();
        assertThat(auth.authenticate("Bearer fuseml-org.../..")).isEmpty();
        // a single function takes no org token, derived or not
        Authenticator function = new Authenticator(Optional.empty(), Optional.of(system), false, null);
        assertThat(function.authenticate("Bearer " + workspace)).isEmpty();
    }

    @Test
    void aSingleFunctionTakesItsDeploymentsTokenOnly() {
        TokenStore tokens = new TokenStore(new TestConfig(dir));
        TokenStore.Issued issued = tokens.create("team", "");
        Authenticator function = new Authenticator(Optional.empty(), Optional.of("shared-secret"), false, tokens);
        assertThat(function.enabled()).isTrue();
        assertThat(function.authenticate("Bearer shared-secret")).contains(Principal.SYSTEM);
        assertThat(function.authenticate("Bearer " + issued.token())).isEmpty();
    }

    /** On a cluster a Knative Broker delivers with its service account's token (sender identity), to any function. */
    @Test
    void aBrokersDeliveryTokenIsADeliveryOfItsOrgAlsoAtASingleFunction() {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
        java.util.function.Function<String, Optional<String>> cluster = t -> t.equals(jwt) ? Optional.of("team")
                : Optional.empty();
        Authenticator function = new Authenticator(Optional.empty(), Optional.of("shared-secret"), false, null,
                cluster);
        assertThat(function.authenticate("Bearer " + jwt)).contains(Principal.deliveryOf("team"));
        assertThat(function.authenticate("Bearer " + jwt).orElseThrow().delivery()).isTrue();
        assertThat(function.authenticate("Bearer eyJother.token.sig")).isEmpty();
        assertThat(function.authenticate("Bearer shared-secret")).contains(Principal.SYSTEM);
    }

    @Test
    void aMalformedAdminHashIsRefusedAtStartWithTheFix() {
        assertThatThrownBy(() -> new Authenticator(Optional.of("abc"), Optional.empty(), true, null))
                .hasMessageContaining("64 hex digits");
    }

    @Test
    void tokenDescriptionsAndOrgsAreChecked() {
        TokenStore tokens = new TokenStore(new TestConfig(dir));
        assertThatThrownBy(() -> tokens.create("Bad_Org", "")).hasMessageContaining("org");
        assertThatThrownBy(() -> tokens.create("team", "two\nlines")).hasMessageContaining("one line");
        assertThat(tokens.list()).isEmpty();
    }
}
