package dev.fuseml.codeset;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** Reads what a commit of an app's codeset holds, without a checkout: the control plane's own codesets. */
public interface CommitReader {
    /** The paths of a commit's tree, and the content of the files asked for. */
    record CommitFiles(Set<String> paths, Map<String, byte[]> contents) {
    }

    /**
     * Every path in the commit's tree, and the content of those {@code wanted} names (at most {@code maxFiles} of
     * them, each at most {@code maxBytes}; larger ones are left out).
     *
     * @return empty when the app has no codeset or the commit is not in it
     */
    Optional<CommitFiles> read(String org, String app, String commit, Predicate<String> wanted, int maxFiles,
            int maxBytes) throws IOException;
}
