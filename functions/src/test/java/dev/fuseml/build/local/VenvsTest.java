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

    @Test
    void anEnvironmentThatAUserProcessChangedIsBuiltAgainBeforeOtherCodeRunsInIt() throws Exception {
        FakeStepLog log = new FakeStepLog();
        Venvs venvs = new Venvs(dir, "python3", Duration.ofMinutes(2), log);
        DependencySpec none = new DependencySpec(null, List.of(), List.of());
        String env = venvs.ensure("run-1", "build", "org-a", none);
        assertThat(venvs.resolve("run-2", "train", "org-a", env, none)).isEqualTo(env);
        Path sitePackages;
        try (var found = Files.walk(venvs.dir(env))) {
            sitePackages = found.filter(p -> p.getFileName().toString().equals("site-packages")).findFirst()
                    .orElseThrow();
        }
        // what app A's train.py could do to the environment app B of the same org trains and serves in next
        Path poison = Files.writeString(sitePackages.resolve("poison.pth"), "import os\n");
        assertThat(venvs.resolve("run-3", "train", "org-a", env, none)).isEqualTo(env);
        assertThat(poison).doesNotExist();
        assertThat(log.lines.getOrDefault("run-3", List.of())).anyMatch(l -> l.contains("was changed after it was built"));
        // setting the modification time back does not hide a change: the seal uses the inode change time
        Path module = Files.list(sitePackages).filter(Files::isRegularFile).findFirst().orElseThrow();
        var mtime = Files.getLastModifiedTime(module);
        Files.writeString(module, Files.readString(module));
        Files.setLastModifiedTime(module, mtime);
        venvs.resolve("run-4", "train", "org-a", env, none);
        assertThat(log.lines.getOrDefault("run-4", List.of())).anyMatch(l -> l.contains("was changed after it was built"));
        assertThat(venvs.resolve("run-5", "train", "org-a", env, none)).isEqualTo(env);
        assertThat(log.lines.getOrDefault("run-5", List.of())).noneMatch(l -> l.contains("was changed"));
    }
}
