package dev.fuseml.build.local;

import dev.fuseml.mock.FakeStepLog;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.step.StepFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Environments are never shared across orgs: what one org's code writes into its venv no other org runs. */
class VenvsTest {
    @TempDir
    Path dir;

    @Test
    void twoOrgsWithTheSameRequirementsGetTwoEnvironmentsAndAPthFileStaysInItsOwn() throws Exception {
        Venvs venvs = new Venvs(dir, "python3", Duration.ofMinutes(2), new FakeStepLog());
        DependencySpec none = new DependencySpec(null, List.of(), List.of());
        String a = venvs.ensure("run-a", "build", "org-a", none);
        String b = venvs.ensure("run-b", "build", "org-b", none);
        assertThat(a).startsWith("venv:org-a/");
        assertThat(b).startsWith("venv:org-b/");
        assertThat(venvs.dir(a)).isNotEqualTo(venvs.dir(b));
        // what a malicious train.py of org-a did: a .pth file runs in every Python process of that environment
        Path sitePackages;
        try (var found = Files.walk(venvs.dir(a))) {
            sitePackages = found.filter(p -> p.getFileName().toString().equals("site-packages")).findFirst()
                    .orElseThrow();
        }
        Files.writeString(sitePackages.resolve("poison.pth"), "import os; os.system('touch /tmp/pwned')\n");
        try (var files = Files.walk(venvs.dir(b))) {
            assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("poison.pth");
        }
        assertThatThrownBy(() -> venvs.resolve("run-b", "train", "org-b", a, none)).isInstanceOf(StepFailure.class)
                .hasMessageContaining("belongs to another org");
        assertThatThrownBy(() -> venvs.dir("venv:../x/0123456789")).hasMessageContaining("venv:ORG/HASH");
    }
}
