package dev.fuseml.workspace;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch directories of a run's steps in this process ({@code work/RUN/STEP}): fetched code, a model before it is
 * uploaded. The only directory a step function owns.
 */
public class Workspaces {
    private final Path root;

    /** {@code root}: this process's scratch directory ({@code DATA/work}). */
    public Workspaces(Path root) {
        this.root = root;
    }

    /**
     * A directory of this scratch that belongs to no run (its name is no run id: they start with a letter or digit),
     * for what a step keeps between runs, such as the interpreters it starts ahead.
     */
    public Path aside(String name) {
        return root.resolve("." + name);
    }

    public Path dir(String run, String step) {
        return root.resolve(run).resolve(step);
    }

    /** An empty directory for the step; what an interrupted earlier attempt left there is removed. */
    public Path fresh(String run, String step) {
        Path dir = dir(run, step);
        delete(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Removes the step's directory, and the run's once it holds nothing else. */
    public void remove(String run, String step) {
        delete(dir(run, step));
        try {
            Files.deleteIfExists(root.resolve(run));
        } catch (IOException notEmpty) {
            // another step of the run still works here
        }
    }

    public void removeRun(String run) {
        delete(root.resolve(run));
    }

    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
