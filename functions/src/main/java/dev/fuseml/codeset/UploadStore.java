package dev.fuseml.codeset;

import dev.fuseml.FusemlConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/** Code archives (zip) that the CLI sent and the receive step has not stored yet. */
@ApplicationScoped
public class UploadStore {
    public static final long MAX_BYTES = 512L << 20;
    private static final Pattern ID = Pattern.compile("[a-f0-9-]{36}");
    private final Path dir;

    public UploadStore(FusemlConfig config) {
        this.dir = config.dataDir().resolve("uploads");
    }

    public String save(InputStream zip) throws IOException {
        Files.createDirectories(dir);
        String id = UUID.randomUUID().toString();
        Path tmp = dir.resolve(id + ".part");
        try {
            Files.copy(zip, tmp);
            if (Files.size(tmp) > MAX_BYTES) {
                throw new IllegalArgumentException("upload is larger than " + (MAX_BYTES >> 20) + " MiB");
            }
            validate(tmp);
            Files.move(tmp, file(id), StandardCopyOption.ATOMIC_MOVE);
            return id;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void validate(Path zip) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            int entries = 0;
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries++;
                safeName(e.getName());
            }
            if (entries == 0) {
                throw new IllegalArgumentException("the upload is not a zip archive, or an empty one: "
                        + "send the project directory as a zip");
            }
        } catch (ZipException e) {
            throw new IllegalArgumentException("the upload is not a valid zip archive: " + e.getMessage());
        }
    }

    public boolean exists(String id) {
        return id != null && ID.matcher(id).matches() && Files.isRegularFile(file(id));
    }

    /** Unpacks upload {@code id} into {@code target}. */
    public void extract(String id, Path target) throws IOException {
        if (!exists(id)) {
            throw new IOException("upload " + id + " does not exist: push the code again");
        }
        Files.createDirectories(target);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file(id)))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path out = target.resolve(safeName(e.getName())).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("archive entry escapes the project: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public void delete(String id) {
        try {
            if (id != null && ID.matcher(id).matches()) {
                Files.deleteIfExists(file(id));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String safeName(String name) {
        if (name.startsWith("/") || name.contains("\\") || Path.of(name).normalize().startsWith("..")) {
            throw new IllegalArgumentException("archive entry '" + name + "' points outside the project");
        }
        return name;
    }

    private Path file(String id) {
        return dir.resolve(id + ".zip");
    }
}
