package dev.fuseml.dvc;

/**
 * One dataset version a model was trained from, as DVC pins it in the codeset: the content hash a {@code .dvc} file
 * or a {@code dvc.lock} stage records for a path that git does not hold.
 *
 * @param path   the data's path in the project (a file or a directory)
 * @param md5    DVC's content hash ({@code HASH.dir} for a directory), or null when the output is versioned by the
 *               cloud ({@code etag}, {@code version_id})
 * @param etag   the cloud's version of it (DVC's cloud versioning), or null
 * @param size   bytes, or null when DVC did not record it
 * @param files  files of a directory, or null
 * @param remote the DVC remote it is pulled from: the output's own, else the project's default, else null
 * @param source where DVC records it: {@code data/wine.csv.dvc}, or {@code dvc.lock:STAGE}
 */
public record Dataset(String path, String md5, String etag, Long size, Integer files, String remote,
        String source) {
    /** Short form for a table: {@code path@md5-prefix}. */
    public String label() {
        String version = md5 != null ? md5 : etag != null ? etag : "?";
        return path + "@" + version.substring(0, Math.min(8, version.length()));
    }
}
