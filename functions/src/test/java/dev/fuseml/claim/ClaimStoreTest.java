package dev.fuseml.claim;

import dev.fuseml.app.AppStore;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunProjection;
import dev.fuseml.run.RunStore;
import dev.fuseml.step.Claims;
import dev.fuseml.step.RunRef;
import dev.fuseml.testing.SettableClock;
import dev.fuseml.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The control plane's claims: the decisions steps get, kept across a restart of the control plane. */
class ClaimStoreTest {
    private static final RunRef RUN = new RunRef("workspace", "wine", "wine-1");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Claims.StoredEvent INPUT = new Claims.StoredEvent("dev.fuseml.built", null);
    @TempDir
    Path dir;
    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-27T00:00:00Z"));

    private RunProjection projection() {
        TestConfig config = new TestConfig(dir);
        RunStore runs = new RunStore(config);
        return new RunProjection(runs, new AppStore(config), new RunLog(runs),
                new dev.fuseml.registry.local.DirectoryModelStore(config,
                        new dev.fuseml.artifact.local.ArtifactFiles(config), dev.fuseml.dvc.DatasetLineage.NONE));
    }

    private ClaimStore store() {
        RunStore runs = new RunStore(new TestConfig(dir));
        RunProjection projection = projection();
        return new ClaimStore(dir.resolve("claims"), LEASE, runs, projection, clock);
    }

    @Test
    void theFirstClaimStartsAndAnotherOwnerIsToldItIsHeldUntilTheLeaseRunsOut() {
        ClaimStore claims = store();
        assertThat(claims.claim(RUN, "train", "a", INPUT)).isEqualTo(new Claims.Start(false, 1));
        assertThat(claims.claim(RUN, "train", "b", INPUT)).isEqualTo(new Claims.HeldElsewhere("a"));
        clock.set(clock.instant().plus(LEASE).plusSeconds(1));
        assertThat(claims.abandoned()).singleElement().extracting(Claim::owner).isEqualTo("a");
        assertThat(claims.claim(RUN, "train", "b", INPUT)).isEqualTo(new Claims.Start(true, 2));
        assertThat(claims.renew(RUN, "train", "a")).as("the old owner lost it").isFalse();
        assertThat(claims.complete(RUN, "train", "a", true, INPUT)).isFalse();
    }

    @Test
    void anEventOfAnotherOrgNamingThisRunsIdIsNeverWorkedOn() {
        ClaimStore claims = store();
        assertThat(claims.claim(RUN, "receive", "a", INPUT)).isInstanceOf(Claims.Start.class);
        RunRef forged = new RunRef("rival", "wine", RUN.run());
        assertThat(claims.claim(forged, "train", "b", INPUT)).isInstanceOf(Claims.RunEnded.class);
        assertThat(claims.claim(forged, "receive", "b", INPUT)).isInstanceOf(Claims.RunEnded.class);
        assertThat(claims.list(RUN.run())).extracting(Claim::step).containsExactly("receive");
    }

    @Test
    void aRenewedLeaseStaysAndACompletedStepAnswersItsResult() {
        ClaimStore claims = store();
        claims.claim(RUN, "register", "a", INPUT);
        clock.set(clock.instant().plusSeconds(20));
        assertThat(claims.renew(RUN, "register", "a")).isTrue();
        clock.set(clock.instant().plusSeconds(20));
        assertThat(claims.claim(RUN, "register", "b", INPUT)).isInstanceOf(Claims.HeldElsewhere.class);
        Claims.StoredEvent output = new Claims.StoredEvent("dev.fuseml.registered", null);
        assertThat(claims.complete(RUN, "register", "a", true, output)).isTrue();
        assertThat(claims.claim(RUN, "register", "b", INPUT)).isInstanceOfSatisfying(Claims.Done.class,
                done -> assertThat(done.output().type()).isEqualTo("dev.fuseml.registered"));
        assertThat(claims.abandoned()).isEmpty();
    }

    @Test
    void aFailedStepEndsTheRunForLaterDeliveries() {
        ClaimStore claims = store();
        claims.claim(RUN, "build", "a", INPUT);
        claims.complete(RUN, "build", "a", false, new Claims.StoredEvent("dev.fuseml.failed", null));
        assertThat(claims.claim(RUN, "build", "b", INPUT)).isInstanceOf(Claims.RunEnded.class);
    }

    @Test
    void claimsSurviveARestartAndADeadProcesssLeasesCanBeEndedAtOnce() {
        store().claim(RUN, "train", "old-process", INPUT);
        ClaimStore restarted = store();
        assertThat(restarted.claim(RUN, "train", "new-process", INPUT)).isInstanceOf(Claims.HeldElsewhere.class);
        assertThat(restarted.expireOwner("old-process")).isEqualTo(1);
        assertThat(restarted.abandoned()).hasSize(1);
        assertThat(restarted.claim(RUN, "train", "new-process", INPUT)).isEqualTo(new Claims.Start(true, 2));
    }

    @Test
    void aResultThatNeverReachedTheRunIsSentAgainALeaseAfterTheStepEndedUntilTheRunShowsIt() {
        ClaimStore claims = store();
        claims.claim(RUN, "register", "a", INPUT);
        Claims.StoredEvent registered = new Claims.StoredEvent("dev.fuseml.registered", null);
        claims.complete(RUN, "register", "a", true, registered);
        assertThat(claims.unannounced()).as("within a lease the result may still be on its way").isEmpty();

        clock.set(clock.instant().plus(LEASE).plusSeconds(1));
        assertThat(claims.unannounced()).singleElement().satisfies(c -> assertThat(c.output()).isEqualTo(registered));
        claims.reemitted(claims.unannounced().get(0));
        assertThat(claims.unannounced()).as("not again at every check").isEmpty();
        clock.set(clock.instant().plus(LEASE).plusSeconds(1));
        assertThat(store().unannounced()).as("nor forgotten by a restart").hasSize(1);

        projection().apply(io.cloudevents.core.builder.CloudEventBuilder.v1().withId("r1")
                .withType("dev.fuseml.registered").withSource(java.net.URI.create("fuseml/register"))
                .withExtension("fusemlorg", RUN.org()).withExtension("fusemlapp", RUN.app())
                .withExtension("fusemlrun", RUN.run()).withData("application/json", "{\"version\":1}".getBytes())
                .build());
        assertThat(claims.unannounced()).as("the run shows the result now").isEmpty();
    }

    @Test
    void theReaperSendsAStepsLostResultAgainAsThatStepAndResumesAnAbandonedStepWithItsInput() {
        ClaimStore claims = store();
        RunStore runs = new RunStore(new TestConfig(dir));
        dev.fuseml.mock.FakeEventSink sink = new dev.fuseml.mock.FakeEventSink();
        LeaseReaper reaper = new LeaseReaper(claims, runs, new RunLog(runs), sink);
        claims.claim(RUN, "receive", "a", new Claims.StoredEvent("dev.fuseml.push", null));
        claims.complete(RUN, "receive", "a", true, new Claims.StoredEvent("dev.fuseml.received", null));
        claims.claim(RUN, "build", "a", INPUT);
        reaper.check();
        assertThat(sink.emitted).as("nothing is late yet").isEmpty();

        clock.set(clock.instant().plus(LEASE).plusSeconds(1));
        reaper.check();
        assertThat(sink.emitted).extracting(e -> e.source() + " " + e.type()).containsExactlyInAnyOrder(
                "fuseml/receive dev.fuseml.received", "fuseml/control-plane dev.fuseml.built");
        reaper.check();
        assertThat(sink.emitted).as("once per lease").hasSize(2);
        assertThat(new RunLog(runs).read(RUN.run())).contains("has not reached the run a lease after the step ended");
    }

    @Test
    void badStepNamesAreRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> store().claim(RUN, "../train", "a", INPUT));
    }
}
