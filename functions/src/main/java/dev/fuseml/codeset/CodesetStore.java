package dev.fuseml.codeset;

import java.io.IOException;
import java.nio.file.Path;

/** Versioned codesets: every push of an app's code becomes a commit. */
public interface CodesetStore {
    /** Stores the files under {@code source} as a new commit of the app's codeset; returns the commit id. */
    String commit(String org, String app, Path source, String message) throws IOException;

    /** Writes the files of {@code commit} into {@code target}, which must be empty or missing. */
    void checkout(String org, String app, String commit, Path target) throws IOException;

    /** Removes the app's codeset and its history. */
    void delete(String org, String app) throws IOException;
}
