package dev.fuseml.codeset.git;

import dev.fuseml.step.StepFailure;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JGitCodesetSourceTest {
    @TempDir
    Path dir;

    @Test
    void aCheckoutWritesTheCommitsFilesAndAnswersItsId() throws Exception {
        Path origin = repository("print('v1')");
        JGitCodesetSource source = new JGitCodesetSource(dir.resolve("cache"), () -> "http://localhost:1", "t");

        String commit = source.checkout(origin.toUri().toString(), "refs/heads/main", dir.resolve("out"));

        assertThat(commit).matches("[0-9a-f]{40}");
        assertThat(dir.resolve("out/train.py")).hasContent("print('v1')");
    }

    /** What a process killed mid-clone leaves behind must not block every later receive of that repository. */
    @Test
    void aMirrorLeftHalfClonedByAKilledProcessIsReplaced() throws Exception {
        Path origin = repository("print('v1')");
        Path cache = dir.resolve("cache");
        JGitCodesetSource first = new JGitCodesetSource(cache, () -> "http://localhost:1", "t");
        first.checkout(origin.toUri().toString(), "refs/heads/main", dir.resolve("out1"));
        Path mirror = mirror(cache);
        dev.fuseml.workspace.Workspaces.delete(mirror);
        Files.createDirectories(mirror.resolve("refs"));
        Files.writeString(mirror.resolve("config"), "[core]\n");
        Files.createDirectories(cache.resolve(mirror.getFileName() + ".partial/objects"));

        JGitCodesetSource restarted = new JGitCodesetSource(cache, () -> "http://localhost:1", "t");
        restarted.checkout(origin.toUri().toString(), "refs/heads/main", dir.resolve("out2"));

        assertThat(dir.resolve("out2/train.py")).hasContent("print('v1')");
        assertThat(cache.resolve(mirror.getFileName() + ".partial")).doesNotExist();
    }

    @Test
    void aMirrorLeftLockedByAKilledFetchIsClonedAgainWithTheNewCommit() throws Exception {
        Path origin = repository("print('v1')");
        Path cache = dir.resolve("cache");
        JGitCodesetSource source = new JGitCodesetSource(cache, () -> "http://localhost:1", "t");
        source.checkout(origin.toUri().toString(), "refs/heads/main", dir.resolve("out1"));
        Path mirror = mirror(cache);
        Files.createDirectories(mirror.resolve("refs/heads"));
        Files.writeString(mirror.resolve("refs/heads/main.lock"), "");
        try (Git git = Git.open(origin.toFile())) {
            Files.writeString(origin.resolve("train.py"), "print('v2')");
            git.commit().setAll(true).setMessage("v2").setAuthor("t", "t@example.com")
                    .setCommitter("t", "t@example.com").call();
        }

        source.checkout(origin.toUri().toString(), "refs/heads/main", dir.resolve("out2"));

        assertThat(dir.resolve("out2/train.py")).hasContent("print('v2')");
    }

    @Test
    void aRepositoryThatCannotBeFetchedFailsTheStepNamingIt() {
        JGitCodesetSource source = new JGitCodesetSource(dir.resolve("cache"), () -> "http://localhost:1", "t");
        String missing = dir.resolve("nowhere").toUri().toString();

        assertThatThrownBy(() -> source.checkout(missing, "refs/heads/main", dir.resolve("out")))
                .isInstanceOf(StepFailure.class).hasMessageContaining("cannot fetch the codeset " + missing);
    }

    @Test
    void aDeletedAppsMirrorIsForgotten() throws Exception {
        Path origin = repository("print('v1')");
        Path cache = dir.resolve("cache");
        JGitCodesetSource source = new JGitCodesetSource(cache, () -> "http://localhost:1", "t");
        source.checkout(origin.toUri().toString(), "refs/heads/main", dir.resolve("out"));
        Path mirror = mirror(cache);

        source.forget(origin.toUri().toString());

        assertThat(mirror).doesNotExist();
    }

    /** The one mirror a checkout left in {@code cache}. */
    private static Path mirror(Path cache) throws java.io.IOException {
        try (Stream<Path> mirrors = Files.list(cache)) {
            return mirrors.filter(p -> p.toString().endsWith(".git")).findFirst().orElseThrow();
        }
    }

    private Path repository(String train) throws Exception {
        Path work = dir.resolve("origin");
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("train.py"), train);
            git.add().addFilepattern(".").call();
            git.commit().setMessage("v1").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
        return work;
    }
}
