package dev.fuseml.codeset;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Versioned codesets, kept by the control plane: every push of an app's code becomes a commit of the app's git
 * repository, which steps and users fetch over git smart HTTP at {@code /git/ORG/APP.git}.
 */
public interface CodesetStore {
    /** Where the control plane serves an app's codeset, relative to its URL. */
    static String path(String org, String app) {
        return "/git/" + org + "/" + app + ".git";
    }

    /** Stores the files under {@code source} as a new commit of the app's codeset; returns the commit id. */
    String commit(String org, String app, Path source, String message) throws IOException;

    /**
     * The app follows {@code branch} from now on: its codeset's HEAD (what a clone checks out, as a git host's
     * default branch), where the CLI's pushes commit and webhooks fetch to, and whose pushes start runs.
     *
     * @throws IllegalArgumentException when {@code branch} is not a valid branch name
     */
    void follow(String org, String app, String branch) throws IOException;

    /** Removes the app's codeset and its history. */
    void delete(String org, String app) throws IOException;
}
