package dev.fuseml.reference;

import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Trained;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepFailure;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every spelling of a reference to org blue's code, environment or model that a tenant of org red could send is
 * refused, naming the org rule; red's own references (and repositories outside FuseML) pass in canonical form.
 */
class OrgReferencesTest {
    private static final String CP = "http://127.0.0.1:8080";
    private static final String RED = "red";

    private static Arguments named(String name, String value, String expected) {
        return arguments(Named.of(name, value), expected);
    }

    static Stream<Arguments> repositoriesOfRed() {
        return Stream.of(
                named("the canonical codeset URL", CP + "/git/red/app.git", CP + "/git/red/app.git"),
                named("without .git", CP + "/git/red/app", CP + "/git/red/app.git"),
                named("with a trailing slash", CP + "/git/red/app.git/", CP + "/git/red/app.git"),
                named("with doubled slashes", CP + "//git//red//app.git", CP + "/git/red/app.git"),
                named("with a dot segment", CP + "/git/./red/app.git", CP + "/git/red/app.git"),
                named("with an upper-case scheme and host", "HTTP://LOCALHOST:8080/git/red/app.git",
                        "http://localhost:8080/git/red/app.git"),
                named("a repository outside FuseML", "https://github.com/blue/app.git",
                        "https://github.com/blue/app.git"),
                named("outside FuseML, with credentials", "https://u:p@gitea.example/blue/app.git",
                        "https://u:p@gitea.example/blue/app.git"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("repositoriesOfRed")
    void aRepositoryOfTheRunsOrgOrOutsideFusemlPassesInCanonicalForm(String url, String canonical) {
        assertThat(OrgReferences.repository(RED, url).url()).isEqualTo(canonical);
    }

    static Stream<Arguments> repositoriesRefusedToRed() {
        String orgRule = "org 'red' may use its own codesets only";
        return Stream.of(
                named("blue's codeset", CP + "/git/blue/app.git", orgRule),
                named("blue's codeset without .git", CP + "/git/blue/app", orgRule),
                named("through a dot segment", CP + "/git/./blue/app.git", orgRule),
                named("through a parent segment", CP + "/git/x/../blue/app.git", orgRule),
                named("through red's own path and back", CP + "/git/red/app.git/../../blue/app.git", orgRule),
                named("percent-encoded", CP + "/git/%62lue/app.git", orgRule),
                named("percent-encoded dots", CP + "/git/red/%2e%2e/blue/app.git", orgRule),
                named("with a path parameter", CP + "/git;x=1/blue/app.git", orgRule),
                named("with an upper-case root", CP + "/GIT/blue/app.git", orgRule),
                named("on another spelling of the host", "http://[::1]:8080/git/blue/app.git", orgRule),
                named("on any host", "https://example.com/git/blue/app.git", orgRule),
                named("a file URL", "file:///var/lib/fuseml/codesets/blue/app.git", "must be an http(s) URL"),
                named("an ssh URL", "ssh://git@example.com/x.git", "must be an http(s) URL"),
                named("with a query", CP + "/git/red/app.git?service=git-upload-pack", "query or fragment"),
                named("a codeset path that is not ORG/APP", CP + "/git/red", "/git/ORG/APP.git"),
                named("with a backslash", CP + "/git/red\\..\\blue/app.git", "not a URL"),
                named("with a control character", CP + "/git/red/app.git\n", "control character"),
                named("too long", CP + "/" + "a".repeat(3000), "longer than"),
                named("not a URL", "::", "not a URL"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("repositoriesRefusedToRed")
    void anyOtherRepositoryIsRefusedNamingTheRule(String url, String rule) {
        assertThatThrownBy(() -> OrgReferences.repository(RED, url)).isInstanceOf(OrgReferences.Refused.class)
                .hasMessageContaining(rule);
    }

    @Test
    void theDeploymentsTokenGoesOnlyToTheControlPlanesOwnCodesetsInAnySpellingItResolvesTo() {
        assertThat(OrgReferences.ownCodeset(CP, CP + "/git/red/app.git")).isTrue();
        assertThat(OrgReferences.ownCodeset(CP + "/", CP + "/git/./red/app")).isTrue();
        assertThat(OrgReferences.ownCodeset(CP, CP + "/git;x/red/app.git")).isTrue();
        assertThat(OrgReferences.ownCodeset(CP, "http://127.0.0.1:8081/git/red/app.git")).as("another port")
                .isFalse();
        assertThat(OrgReferences.ownCodeset(CP, "http://127.0.0.1:8080.evil.example/git/red/app.git")).isFalse();
        assertThat(OrgReferences.ownCodeset(CP, "http://127.0.0.1:8080@evil.example/git/red/app.git")).isFalse();
        assertThat(OrgReferences.ownCodeset(CP, CP + "/api/v1/git/red/app.git")).isFalse();
        assertThat(OrgReferences.ownCodeset(CP, "file:///git/red/app.git")).isFalse();
    }

    static Stream<Arguments> modelsRefusedToRed() {
        return Stream.of(
                named("blue's model", "fuseml-artifacts:/blue/app/app-1/model", "belongs to org 'blue'"),
                named("with a doubled slash", "fuseml-artifacts://blue/app/app-1/model", "refused"),
                named("with a dot segment", "fuseml-artifacts:/./blue/app/app-1/model", "refused"),
                named("through red and back", "fuseml-artifacts:/red/../blue/app/app-1/model", "refused"),
                named("percent-encoded", "fuseml-artifacts:/%62lue/app/app-1/model", "refused"),
                named("an upper-case scheme", "FUSEML-ARTIFACTS:/blue/app/app-1/model", "refused"),
                named("the artifact API's URL", CP + "/api/v1/artifacts/blue/app/app-1/model", "refused"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsRefusedToRed")
    void anotherOrgsModelIsRefusedInEverySpelling(String uri, String reason) {
        assertThatThrownBy(() -> OrgReferences.model(RED, uri)).isInstanceOf(OrgReferences.Refused.class)
                .hasMessageContaining(reason);
    }

    @Test
    void environmentsOfTheRunsOrgAndImagesPassAndAnotherOrgsVenvIsRefused() {
        assertThat(OrgReferences.environment(RED, "venv:red/0123abcd")).isEqualTo("venv:red/0123abcd");
        assertThat(OrgReferences.environment(RED, "registry.example:5000/fuseml-env:0123abcd"))
                .isEqualTo("registry.example:5000/fuseml-env:0123abcd");
        assertThatThrownBy(() -> OrgReferences.environment(RED, "venv:blue/0123abcd"))
                .hasMessageContaining("belongs to org 'blue'");
        assertThatThrownBy(() -> OrgReferences.environment(RED, "VENV:blue/0123abcd"))
                .hasMessageContaining("venv:ORG/HASH");
        assertThatThrownBy(() -> OrgReferences.environment(RED, "venv:red/../blue/0123abcd"))
                .hasMessageContaining("venv:ORG/HASH");
        assertThatThrownBy(() -> OrgReferences.environment(RED, "img; rm -rf /"))
                .hasMessageContaining("neither venv:ORG/HASH nor an image");
    }

    @Test
    void theStepGuardRefusesAnEventNamingAnotherOrgsReferenceAsAStepFailure() {
        OrgReferences guard = new OrgReferences();
        RunRef red = new RunRef(RED, "app", "app-1");
        guard.check(red, new Push(CP + "/git/red/app.git", "main", Map.of(), null));
        guard.check(red, new Registered(1, "fuseml-artifacts:/red/app/app-1/model", "venv:red/0123abcd"));
        guard.check(red, "data of a custom step the guard does not know");

        assertThatThrownBy(() -> guard.check(red, new Push(CP + "/git/x/../blue/app.git", "main", Map.of(), null)))
                .isInstanceOf(StepFailure.class).hasMessageContaining("org 'blue'");
        assertThatThrownBy(() -> guard.check(red, new Built(CP + "/git/red/app.git", "c", Map.of(), null,
                "venv:blue/0123abcd"))).isInstanceOf(StepFailure.class).hasMessageContaining("org 'blue'");
        assertThatThrownBy(() -> guard.check(red, new Trained(CP + "/git/red/app.git", "c", Map.of(),
                "venv:red/0123abcd", "fuseml-artifacts:/blue/app/app-1/model", Map.of())))
                .isInstanceOf(StepFailure.class).hasMessageContaining("org 'blue'");
    }
}
