package dev.fuseml.serving.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DeploymentRecordsTest {
    @TempDir
    Path dir;

    private static DeploymentRecords.Record wine(int version, int port) {
        return new DeploymentRecords.Record("acme", "wine", version, "fuseml-artifacts:/acme/wine/r/model",
                "venv:acme/abc", port, "wine-" + version);
    }

    @Test
    void whatIsServedIsReadBackByANewProcessWithItsPort() {
        new DeploymentRecords(dir).record(wine(1, 40_001));
        new DeploymentRecords(dir).record(wine(2, 40_001));
        new DeploymentRecords(dir).record(new DeploymentRecords.Record("beta", "beer", 1, "u", null, 40_002, "b"));

        DeploymentRecords restarted = new DeploymentRecords(dir);
        assertThat(restarted.recorded("acme", "wine")).contains(wine(2, 40_001));
        assertThat(restarted.all()).containsExactlyInAnyOrder(wine(2, 40_001),
                new DeploymentRecords.Record("beta", "beer", 1, "u", null, 40_002, "b"));
        assertThat(restarted.recorded("acme", "nothing")).isEmpty();
    }

    @Test
    void aProtectionIsKeptBeforeTheFirstVersionAndLiftedWithNull() {
        DeploymentRecords records = new DeploymentRecords(dir);
        records.protect("acme", "wine", "ab12");
        assertThat(new DeploymentRecords(dir).protection("acme", "wine")).contains("ab12");
        records.protect("acme", "wine", null);
        assertThat(records.protection("acme", "wine")).isEmpty();
    }

    @Test
    void removingAnAppForgetsItsDeploymentAndItsProtection() throws Exception {
        DeploymentRecords records = new DeploymentRecords(dir);
        records.record(wine(1, 40_001));
        records.protect("acme", "wine", "ab12");
        records.remove("acme", "wine");
        assertThat(records.recorded("acme", "wine")).isEmpty();
        assertThat(records.protection("acme", "wine")).isEmpty();
        assertThat(records.all()).isEmpty();
    }
}
