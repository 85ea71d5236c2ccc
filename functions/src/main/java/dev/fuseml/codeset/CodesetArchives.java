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
    /** The CLI's list of the project's symbolic links, {@code {"PATH": "TARGET"}} (a zip it makes holds none). */
    public static final String LINKS = ".fuseml-links.json";
    private static final int MAX_LINKS_BYTES = 1 << 20;
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
        byte[] links = null;
        byte[] buffer = new byte[64 * 1024];
        try (ZipInputStream in = new ZipInputStream(zip)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (++entries > MAX_ENTRIES) {
                    throw new InvalidArchiveException("the archive has more than " + MAX_ENTRIES + " entries: leave "
                            + "data sets and environments out of the project (fetch data in train.py)", true);
                }
                if (e.getName().equals(LINKS)) {
                    byte[] listed = in.readNBytes(MAX_LINKS_BYTES + 1);
                    if (listed.length > MAX_LINKS_BYTES) {
                        throw new InvalidArchiveException(LINKS + " is larger than 1 MiB", true);
                    }
                    links = listed;
                    continue;
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
        if (links != null) {
            link(root, links); // last: no file of the archive is written through a link
        }
    }

    /** Makes the listed links, each a relative one that stays inside the project. */
    private static void link(Path root, byte[] listed) throws IOException {
        java.util.Map<String, String> links;
        try {
            links = dev.fuseml.state.JsonFiles.MAPPER.readValue(listed,
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, String>>() { });
        } catch (IOException e) {
            throw new InvalidArchiveException(LINKS + " is not a JSON object of paths to link targets", false);
        }
        for (java.util.Map.Entry<String, String> l : links.entrySet()) {
            Path link = root.resolve(safeName(l.getKey())).normalize();
            String target = l.getValue() == null ? "" : l.getValue();
            if (!linkStaysInside(root, link, target)) {
                throw new InvalidArchiveException("the link '" + l.getKey() + "' points to '" + target
                        + "', outside the project: links must stay inside it", false);
            }
            if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new InvalidArchiveException("'" + l.getKey() + "' is both a file and a link in the archive",
                        false);
            }
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(target));
        }
    }

    /**
     * Whether a link at {@code link} (inside {@code root}) to {@code target} points inside {@code root}: relative,
     * and resolved from the link's directory it stays under the root. The same rule holds for the links of a
     * codeset's commits when a step checks them out.
     */
    public static boolean linkStaysInside(Path root, Path link, String target) {
        if (target.isEmpty() || target.indexOf('\0') >= 0 || target.contains("\\")) {
            return false;
        }
        Path t = Path.of(target);
        Path resolved = link.getParent().resolve(t).normalize();
        return !t.isAbsolute() && link.startsWith(root) && resolved.startsWith(root) && !resolved.equals(root);
    }

    private static String safeName(String name) {
        if (name.startsWith("/") || name.contains("\\") || Path.of(name).normalize().startsWith("..")) {
            throw new InvalidArchiveException("archive entry '" + name + "' points outside the project", false);
        }
        return name;
    }
}
