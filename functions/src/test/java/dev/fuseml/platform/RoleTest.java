package dev.fuseml.platform;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What each process of the same build exports (FUSEML_FUNCTION). */
class RoleTest {
    @ParameterizedTest(name = "{0} serves {1}: {2}")
    @CsvSource({
            "all, /train, true",
            "all, /api/v1/status, true",
            "train, /train, true",
            "train, /build, false",
            "train, /, false",
            "train, /api/v1/apps, false",
            "train, /git/workspace/wine.git/info/refs, false",
            "train, /q/metrics, true",
            "serve, /serve, true",
            "serve, /unserve, true",
            "serve, /protect, true",
            "train, /protect, false",
            "build, /unserve, false",
            "control-plane, /api/v1/claims/r/train, true",
            "control-plane, /git/workspace/wine.git/info/refs, true",
            "control-plane, /train, false",
            "control-plane, /, false",
    })
    void aProcessExportsOnlyWhatItsRoleRuns(String role, String path, boolean served) {
        assertThat(Role.of(role).serves(path)).isEqualTo(served);
    }

    @Test
    void anUnknownRoleIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> Role.of("trainer")).hasMessageContaining("FUSEML_FUNCTION")
                .hasMessageContaining("control-plane").hasMessageContaining("register");
        assertThat(Role.of("train").controlPlane()).isFalse();
        assertThat(Role.of("control-plane").runsSteps()).isFalse();
        assertThat(Role.of("all").runs("serve")).isTrue();
    }
}
