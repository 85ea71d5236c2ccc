package dev.fuseml.codeset;

import java.nio.file.Path;

/** Code by reference: a step fetches a commit of a git repository, by URL, into its own scratch directory. */
public interface CodesetSource {
    /**
     * Writes the files of {@code commit} (a commit id or a ref) of {@code repository} into {@code target}, which
     * must be empty or missing; returns the commit id.
     *
     * @throws dev.fuseml.step.StepFailure when the repository cannot be fetched or has no such commit
     */
    String checkout(String repository, String commit, Path target) throws Exception;

    /** Drops what this process keeps of {@code repository} (a mirror): its app was deleted. */
    default void forget(String repository) {
    }
}
