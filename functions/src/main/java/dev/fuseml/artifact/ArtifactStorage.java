package dev.fuseml.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where the control plane keeps artifacts behind its artifact API (MLflow's artifact proxy): its data directory
 * ({@code artifact/local/ArtifactFiles}, a volume on a cluster) or an S3-compatible bucket
 * ({@code artifact/s3/S3Artifacts}); {@code Platform} chooses by configuration. Steps never see it: they reach
 * artifacts through the API ({@link ArtifactStore}).
 */
public interface ArtifactStorage {
    /** One file of an artifact: its path inside the artifact and its size. */
    record FileInfo(String path, long size) {
    }

    long MAX_FILE_BYTES = 2L << 30;

    /** Writes a file of an artifact whole: a reader never sees half of it. */
    void write(ArtifactUri artifact, String relative, InputStream content) throws IOException;

    /** A file of an artifact, or empty when there is none. */
    Optional<InputStream> read(ArtifactUri artifact, String relative) throws IOException;

    /** Every file of the artifact, with paths relative to it; empty when it does not exist. */
    List<FileInfo> list(ArtifactUri artifact) throws IOException;

    /** Removes an artifact (an {@link java.io.UncheckedIOException} when its storage fails). */
    void delete(ArtifactUri artifact);

    /**
     * Removes a file of an artifact, or every file under a directory of it ({@code relative} checked as by
     * {@link #inside}); nothing when there is none.
     */
    void delete(ArtifactUri artifact, String relative);

    /** Removes every artifact of an app (an {@link java.io.UncheckedIOException} when its storage fails). */
    void deleteApp(String org, String app);

    /** {@code relative} as a path inside an artifact; refuses one that is blank or could leave the artifact. */
    static String inside(ArtifactUri artifact, String relative) {
        if (relative == null || relative.isBlank() || relative.startsWith("/") || relative.contains("\\")
                || relative.contains("\0") || java.util.Arrays.stream(relative.split("/", -1))
                .anyMatch(s -> s.isEmpty() || s.equals("..") || s.equals("."))) {
            throw new IllegalArgumentException("'" + relative + "' is not a file inside artifact " + artifact);
        }
        return relative;
    }
}
