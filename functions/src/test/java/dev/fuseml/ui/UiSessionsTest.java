package dev.fuseml.ui;

import dev.fuseml.auth.Principal;
import dev.fuseml.testing.SettableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UiSessionsTest {
    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-05T00:00:00Z"));
    private final UiSessions sessions = new UiSessions(clock);
    private final Principal red = new Principal("token-1", "red");

    @Test
    void aCodeWorksOnceWithinAMinuteAndItsSessionStandsForTheSamePrincipalForEightHours() {
        String code = sessions.mint(red);
        String session = sessions.redeem(code).orElseThrow();
        assertThat(sessions.redeem(code)).isEmpty();
        assertThat(sessions.principal(session)).contains(red);
        clock.set(clock.instant().plus(UiSessions.SESSION_TTL));
        assertThat(sessions.principal(session)).isEmpty();
    }

    @Test
    void aCodeOlderThanAMinuteIsRefused() {
        String code = sessions.mint(red);
        clock.set(clock.instant().plus(UiSessions.CODE_TTL).plusSeconds(1));
        assertThat(sessions.redeem(code)).isEmpty();
    }

    @Test
    void aRunsOrADeliverysTokenSignsNoBrowserIn() {
        assertThatThrownBy(() -> sessions.mint(Principal.ofRun("red", "app", "run-1")))
                .hasMessageContaining("person's token");
        assertThatThrownBy(() -> sessions.mint(Principal.deliveryOf("red"))).hasMessageContaining("person's token");
    }

    @Test
    void sessionsAndCodesAreBoundedAndEachIsUnguessable() {
        String first = sessions.redeem(sessions.mint(red)).orElseThrow();
        for (int i = 0; i < UiSessions.MAX_SESSIONS; i++) {
            sessions.redeem(sessions.mint(red));
        }
        assertThat(sessions.principal(first)).as("the oldest went").isEmpty();
        assertThat(first).hasSize(64).matches("[0-9a-f]+");
    }
}
