package dev.fuseml.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Makes the staged app's libraries one jar. Quarkus' aot-jar layout puts some 230 jars on the JVM's class path; with
 * them, creating the JVM from a step function's AOT cache took 0.19-0.29 s here, with one jar 0.11-0.17 s (the JDK
 * sets up each jar's code source and reads its manifest as it loads the cache's classes), so a step was ready about
 * 0.06 s sooner (medians of six alternated starts, same cache training).
 *
 * <p>The merge keeps what the class path meant: the launcher's {@code Class-Path} keeps its other entries in their
 * places and names {@link #NAME} where the first library was; of two entries of one name the earlier jar's wins, as
 * a class path's lookup finds it; {@code META-INF/services} files are joined in class-path order (ServiceLoader reads
 * every jar's); each jar's licence and notice files are kept under {@code META-INF/licenses/JAR/}. Left out: jar
 * signatures (the image is fixed by its digest; the JDK would verify them at start and keep their classes out of the
 * cache), jar indexes, and the versioned entries of a jar that is not multi-release (its JVM never read them).
 * Directory entries are kept, so that a resource lookup of a directory finds it as before.
 */
final class LibraryJar {
    /** The merged jar, two levels below /app as Quarkus' launcher expects its own jar (it finds quarkus/ from it). */
    static final String NAME = "lib/main/libraries.jar";
    private static final Pattern LEGAL = Pattern.compile("(META-INF/)?(LICEN[CS]E|NOTICE|about)[^/]*",
            Pattern.CASE_INSENSITIVE);
    /**
     * A jar's signature: the signature files of its META-INF (JarFile's rule for a signed jar). The JDK verifies a
     * signed jar's digests and certificates the first time it loads a class of it (JGit's: about a tenth of a step
     * function's start here) and leaves its classes out of the AOT cache; the image's digest fixes its contents.
     */
    static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");
    private static final String SERVICES = "META-INF/services/";
    private static final String VERSIONS = "META-INF/versions/";

    private LibraryJar() {
    }

    /** Merges the libraries ({@code lib/}) of the staged app at {@code app} and rewrites its launcher's class path. */
    static void merge(Path app) throws IOException {
        Path launcher = app.resolve("quarkus-run.jar");
        Manifest manifest;
        try (JarFile jar = new JarFile(launcher.toFile(), false)) {
            manifest = jar.getManifest();
        }
        String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        if (classPath == null || classPath.isBlank()) {
            throw new IllegalStateException(launcher + " names no Class-Path: the image needs Quarkus' aot-jar layout "
                    + "(quarkus.package.jar.type=aot-jar in functions/src/main/resources/application.properties)");
        }
        List<String> kept = new ArrayList<>();
        List<Path> libraries = new ArrayList<>();
        for (String entry : classPath.trim().split("\\s+")) {
            if (entry.startsWith("lib/")) {
                if (libraries.isEmpty()) {
                    kept.add(NAME);
                }
                libraries.add(app.resolve(entry));
            } else if (!libraries.isEmpty()) {
                throw new IllegalStateException(entry + " follows a library on " + launcher + "'s Class-Path: merging "
                        + "the libraries would change which of its classes is found first");
            } else {
                kept.add(entry);
            }
        }
        Path merged = app.resolve(NAME);
        Path temporary = merged.resolveSibling("libraries.jar.tmp");
        write(libraries, temporary);
        for (Path library : libraries) {
            Files.delete(library);
        }
        Files.move(temporary, merged);
        try (Stream<Path> dirs = Files.list(app.resolve("lib"))) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                if (isEmpty(dir)) {
                    Files.delete(dir);
                }
            }
        }
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", kept));
        rewriteManifest(launcher, manifest);
    }

    private static void write(List<Path> libraries, Path target) throws IOException {
        Map<String, StringBuilder> services = new LinkedHashMap<>();
        Set<String> written = new HashSet<>();
        boolean multiRelease = false;
        for (Path library : libraries) {
            try (JarFile jar = new JarFile(library.toFile(), false)) {
                multiRelease |= isMultiRelease(jar);
            }
        }
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            // the manifest first, where a JarInputStream looks for it
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            if (multiRelease) {
                manifest.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, "true");
            }
            written.add("META-INF/");
            out.putNextEntry(new ZipEntry("META-INF/"));
            out.closeEntry();
            out.putNextEntry(new ZipEntry(JarFile.MANIFEST_NAME));
            manifest.write(out);
            out.closeEntry();
            for (Path library : libraries) {
                try (JarFile jar = new JarFile(library.toFile(), false)) {
                    boolean versioned = isMultiRelease(jar);
                    for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                        ZipEntry entry = entries.nextElement();
                        String name = entry.getName();
                        if (name.equals(JarFile.MANIFEST_NAME)
                                || name.equals("META-INF/INDEX.LIST")
                                || SIGNATURE.matcher(name).matches()
                                || (!versioned && name.startsWith(VERSIONS))) {
                            continue;
                        }
                        if (!entry.isDirectory() && name.startsWith(SERVICES)
                                && name.indexOf('/', SERVICES.length()) < 0) {
                            String text = read(jar, entry);
                            services.computeIfAbsent(name, n -> new StringBuilder()).append(text)
                                    .append(text.endsWith("\n") ? "" : "\n");
                            continue;
                        }
                        if (!entry.isDirectory() && !name.endsWith(".class") && LEGAL.matcher(name).matches()) {
                            name = "META-INF/licenses/" + library.getFileName() + "/" + name;
                        }
                        if (written.add(name)) {
                            copy(jar, entry, name, out);
                        }
                    }
                }
            }
            for (Map.Entry<String, StringBuilder> service : services.entrySet()) {
                out.putNextEntry(new ZipEntry(service.getKey()));
                out.write(service.getValue().toString().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }

    private static boolean isMultiRelease(JarFile jar) throws IOException {
        Manifest manifest = jar.getManifest();
        return manifest != null && "true".equalsIgnoreCase(
                manifest.getMainAttributes().getValue(Attributes.Name.MULTI_RELEASE));
    }

    private static void rewriteManifest(Path launcher, Manifest manifest) throws IOException {
        Path temporary = launcher.resolveSibling("quarkus-run.jar.tmp");
        try (ZipFile jar = new ZipFile(launcher.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(temporary))) {
            out.putNextEntry(new ZipEntry(JarFile.MANIFEST_NAME));
            manifest.write(out);
            out.closeEntry();
            for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                if (!entry.getName().equals(JarFile.MANIFEST_NAME)) {
                    copy(jar, entry, entry.getName(), out);
                }
            }
        }
        Files.move(temporary, launcher, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void copy(ZipFile jar, ZipEntry entry, String name, ZipOutputStream out) throws IOException {
        ZipEntry copy = new ZipEntry(name);
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        if (!entry.isDirectory()) {
            try (InputStream in = jar.getInputStream(entry)) {
                in.transferTo(out);
            }
        }
        out.closeEntry();
    }

    private static String read(ZipFile jar, ZipEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }
}
