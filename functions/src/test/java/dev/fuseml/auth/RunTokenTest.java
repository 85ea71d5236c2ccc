package dev.fuseml.auth;

import dev.fuseml.eventing.Tokens;
import dev.fuseml.testing.SettableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run's token (what a training Job on a cluster presents) reaches its own run only: its log, its artifacts, its
 * app's codeset to fetch; nothing of another run, app or org, nothing else of the API; and not after it expired.
 */
class RunTokenTest {
    private static final String SYSTEM = "fuseml_system-token-for-run-tokens";
    private static final Principal JOB = Principal.ofRun("team", "wine", "wine-1");
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "its run's log,                        POST,   /api/v1/runs/wine-1/log,                             true",
            "its run's model,                      PUT,    /api/v1/artifacts/team/wine/wine-1/model/MLmodel,    true",
            "reading its run's model,              GET,    /api/v1/artifacts/team/wine/wine-1/model,            true",
            "replacing its run's model,            DELETE, /api/v1/artifacts/team/wine/wine-1/model,            true",
            "its app's refs,                       GET,    /git/team/wine.git/info/refs,                        true",
            "fetching its app's code,              POST,   /git/team/wine.git/git-upload-pack,                  true",
            "another run's log,                    POST,   /api/v1/runs/wine-2/log,                             false",
            "another run's model,                  PUT,    /api/v1/artifacts/team/wine/wine-2/model/MLmodel,    false",
            "another app's artifacts,              GET,    /api/v1/artifacts/team/beer/wine-1/model,            false",
            "another org's artifacts,              GET,    /api/v1/artifacts/other/wine/wine-1/model,           false",
            "pushing to its app's codeset,         POST,   /git/team/wine.git/git-receive-pack,                 false",
            "another app's codeset,                GET,    /git/team/beer.git/info/refs,                        false",
            "its org's apps,                       GET,    /api/v1/orgs/team/apps,                              false",
            "its run's record,                     GET,    /api/v1/runs/wine-1,                                 false",
            "the run projection,                   POST,   /api/v1/projection,                                  false",
            "a step,                               POST,   /train,                                              false",
            "claims,                               POST,   /api/v1/claims/wine-1/train,                         false",
            "tokens,                               POST,   /api/v1/tokens,                                      false"})
    void reachesItsOwnRunOnly(String name, String method, String path, boolean allowed) {
        assertThat(Access.runRefusal(JOB, method, path).isEmpty()).as(name).isEqualTo(allowed);
    }

    @Test
    void isTakenUntilItExpiresAndOnlyAsMadeAndOnlyByTheControlPlane() {
        SettableClock clock = new SettableClock(Instant.parse("2026-12-04T10:00:00Z"));
        TokenStore tokens = new TokenStore(new dev.fuseml.testing.TestConfig(dir));
        Authenticator controlPlane = new Authenticator(Optional.empty(), Optional.of(SYSTEM), true, tokens, null,
                clock);
        String token = Tokens.forRun(SYSTEM, new Tokens.RunClaim("team", "wine", "wine-1",
                clock.instant().plusSeconds(60).getEpochSecond()));

        assertThat(controlPlane.authenticate("Bearer " + token)).contains(JOB);
        assertThat(controlPlane.authenticate("Basic " + java.util.Base64.getEncoder().encodeToString(("fuseml:"
                + token).getBytes()))).as("as git's password").contains(JOB);
        assertThat(controlPlane.authenticate("Bearer " + token.replace(".wine-1.", ".wine-2.")))
                .as("another run named with the same MAC").isEmpty();
        assertThat(controlPlane.authenticate("Bearer " + Tokens.forRun("another-system", new Tokens.RunClaim(
                "team", "wine", "wine-1", clock.instant().plusSeconds(60).getEpochSecond())))).isEmpty();
        assertThat(new Authenticator(Optional.empty(), Optional.of(SYSTEM), false, tokens)
                .authenticate("Bearer " + token)).as("a single function takes its deployment's token only")
                .isEmpty();

        clock.set(clock.instant().plusSeconds(61));
        assertThat(controlPlane.authenticate("Bearer " + token)).as("expired").isEmpty();
    }
}
