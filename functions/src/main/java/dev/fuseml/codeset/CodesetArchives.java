package dev.fuseml.codeset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Unpacks the zip archive the CLI sends, streaming each file to disk, within limits on the number of entries and
 * the unpacked size (a small zip can unpack to gigabytes).
 */
public final class CodesetArchives {
    public static final int MAX_ENTRIES = 20_000;
    public static final long MAX_UNPACKED_BYTES = 1L << 30;

    private CodesetArchives() {
    }

    /** The archive breaks a rule; the message names the rule and the fix. */
    public static class InvalidArchiveException extends IllegalArgumentException {
        private final boolean tooLarge;

        InvalidArchiveException(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    public static void extract(InputStream zip, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        Files.createDirectories(root);
        int entries = 0;
        long unpacked = 0;
        byte[] buffer = new byte[64 * 1024];
        try (ZipInputStream in = new ZipInputStream(zip)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (++entries > MAX_ENTRIES) {
                    throw new InvalidArchiveException("the archive has more than " + MAX_ENTRIES + " entries: leave "
                            + "data sets and environments out of the project (fetch data in train.py)", true);
                }
                Path out = root.resolve(safeName(e.getName())).normalize();
                if (!out.startsWith(root)) {
                    throw new InvalidArchiveException("archive entry '" + e.getName() + "' points outside the project",
                            false);
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (OutputStream file = Files.newOutputStream(out)) {
                    for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                        unpacked += n;
                        if (unpacked > MAX_UNPACKED_BYTES) {
                            throw new InvalidArchiveException("the project unpacks to more than "
                                    + (MAX_UNPACKED_BYTES >> 20) + " MiB: leave large data files out of it", true);
                        }
                        file.write(buffer, 0, n);
                    }
                }
            }
        } catch (ZipException e) {
            throw new InvalidArchiveException("the upload is not a valid zip archive: " + e.getMessage(), false);
        }
        if (entries == 0) {
            throw new InvalidArchiveException("the upload is not a zip archive, or an empty one: send the project "
                    + "directory as a zip", false);
        }
    }

    private static String safeName(String name) {
        if (name.startsWith("/") || name.contains("\\") || Path.of(name).normalize().startsWith("..")) {
            throw new InvalidArchiveException("archive entry '" + name + "' points outside the project", false);
        }
        return name;
    }
}
