package dev.fuseml.auth;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The one table of who may reach what, case by case. */
class AccessTest {
    static Stream<Arguments> paths() {
        return Stream.of(
                arguments("status is open like a health check", "GET", "/api/v1/status", new Access.Open()),
                arguments("health is open", "GET", "/q/health", new Access.Open()),
                arguments("metrics, which name orgs, apps and runs, are the deployment's", "GET", "/q/metrics",
                        new Access.Unrestricted()),
                arguments("event schemas are open", "GET", "/schemas/dev.fuseml.push.json", new Access.Open()),
                arguments("listing orgs shows those the token reaches", "GET", "/api/v1/orgs",
                        new Access.Authenticated()),
                arguments("creating an org is the admin's", "POST", "/api/v1/orgs", new Access.Unrestricted()),
                arguments("an org's apps are the org's", "GET", "/api/v1/orgs/team/apps", new Access.Org("team")),
                arguments("deleting an app is the org's", "DELETE", "/api/v1/orgs/team/apps/x",
                        new Access.Org("team")),
                arguments("uploading a codeset is the org's", "POST", "/api/v1/orgs/team/apps/x/codeset",
                        new Access.Org("team")),
                arguments("artifacts are their org's", "GET", "/api/v1/artifacts/team/x/r/model/MLmodel",
                        new Access.Org("team")),
                arguments("git codesets are their org's", "GET", "/git/team/x.git/info/refs",
                        new Access.Org("team")),
                arguments("reading a run needs its org", "GET", "/api/v1/runs/r-1", new Access.Run("r-1")),
                arguments("reading a run's log needs its org", "GET", "/api/v1/runs/r-1/log", new Access.Run("r-1")),
                arguments("posting a run's log needs its org (a training Job has its org's token)", "POST",
                        "/api/v1/runs/r-1/log", new Access.Run("r-1")),
                arguments("anything else posted about a run is the steps'", "POST", "/api/v1/runs/r-1/events",
                        new Access.Unrestricted()),
                arguments("claims are the steps'", "POST", "/api/v1/claims/r-1/train", new Access.Unrestricted()),
                arguments("the run projection is the broker's", "POST", "/api/v1/projection",
                        new Access.Delivery()),
                arguments("the dead-letter sink needs the event's org", "POST", "/api/v1/deadletter",
                        new Access.EventOf()),
                arguments("tokens are the admin's", "POST", "/api/v1/tokens", new Access.Unrestricted()),
                arguments("gc is the admin's", "POST", "/api/v1/gc", new Access.Unrestricted()),
                arguments("triggers list filters by org", "GET", "/api/v1/triggers", new Access.Authenticated()),
                arguments("applying triggers checks each resource's org", "POST", "/api/v1/triggers",
                        new Access.Authenticated()),
                arguments("deleting a trigger is its org's", "DELETE", "/api/v1/triggers/team/gate",
                        new Access.Org("team")),
                arguments("posting events to an org's broker is the org's", "POST", "/api/v1/orgs/team/events",
                        new Access.Org("team")),
                arguments("a step delivery needs the event's org", "POST", "/train", new Access.EventOf()),
                arguments("the Funqy root needs the event's org", "POST", "/", new Access.EventOf()),
                arguments("an empty org segment is not an org", "GET", "/api/v1/orgs/", new Access.Authenticated()),
                arguments("whoami needs a token", "GET", "/api/v1/whoami", new Access.Authenticated()),
                arguments("a host's webhook delivery is signed, not tokened", "POST", "/api/v1/webhooks/wh-0a1b2c3d4e5f",
                        new Access.Open()),
                arguments("nothing else at webhooks is open", "GET", "/api/v1/webhooks/wh-0a1b2c3d4e5f",
                        new Access.Unrestricted()),
                arguments("an org's webhooks are the org's", "POST", "/api/v1/orgs/team/webhooks",
                        new Access.Org("team")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void eachPathNeedsWhatTheTableSays(String name, String method, String path, Access.Scope expected) {
        assertThat(Access.of(method, path)).isEqualTo(expected);
    }

    static Stream<Arguments> principals() {
        Principal teamToken = new Principal("tok-1", "team");
        Principal teamBroker = Principal.deliveryOf("team");
        java.util.Optional<String> allowed = java.util.Optional.empty();
        return Stream.of(
                arguments("the team's broker delivers the team's event to a step", teamBroker, "POST", "/train",
                        "team", allowed),
                arguments("the team's broker delivers the team's event to the run projection", teamBroker, "POST",
                        "/api/v1/projection", "team", allowed),
                arguments("the team's broker delivers to the dead-letter sink", teamBroker, "POST",
                        "/api/v1/deadletter", "team", allowed),
                arguments("the team's broker may not deliver another org's event", teamBroker, "POST", "/train",
                        "other", java.util.Optional.of("a token of org 'team' delivers events of that org only "
                                + "(ce-fusemlorg)")),
                arguments("the team's broker may not write another org's runs", teamBroker, "POST",
                        "/api/v1/projection", "other", java.util.Optional.of("a broker of org 'team' delivers "
                                + "events of that org only (ce-fusemlorg)")),
                arguments("a broker's token reads nothing of its org", teamBroker, "GET", "/api/v1/orgs/team/apps",
                        null, java.util.Optional.of("a broker's delivery token reaches the paths events are "
                                + "delivered to, nothing else")),
                arguments("a user's org token does not write runs", teamToken, "POST", "/api/v1/projection", "team",
                        java.util.Optional.of("runs are written from the chain's events: only the broker delivers "
                                + "here")),
                arguments("a user's org token delivers its org's event to a step", teamToken, "POST", "/train",
                        "team", allowed),
                arguments("a user's org token posts no event to another org's broker", teamToken, "POST",
                        "/api/v1/orgs/other/events", "other", java.util.Optional.of("a token of org 'team' reaches "
                                + "that org only, not 'other'")),
                arguments("the system writes runs", Principal.SYSTEM, "POST", "/api/v1/projection", "team", allowed),
                arguments("another org's run is as if it did not exist", teamToken, "GET", "/api/v1/runs/r-9", null,
                        java.util.Optional.of("")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("principals")
    void eachPrincipalIsAdmittedWhereTheTableSays(String name, Principal principal, String method, String path,
            String eventOrg, java.util.Optional<String> refusal) {
        assertThat(Access.refusal(Access.of(method, path), principal, eventOrg,
                run -> java.util.Optional.of("other"))).isEqualTo(refusal);
    }
}
