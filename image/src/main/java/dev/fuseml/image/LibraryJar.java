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
 * Makes the staged builds' libraries one jar. Quarkus' aot-jar layout puts some 230 jars on the JVM's class path;
 * with them, creating the JVM from a step function's AOT cache took 0.19-0.29 s here, with one jar 0.11-0.17 s (the
 * JDK sets up each jar's code source and reads its manifest as it loads the cache's classes), so a step was ready
 * about 0.06 s sooner (medians of six alternated starts, same cache training).
 *
 * <p>The image holds two builds of the same code (the control plane's, the steps'), the second using some of the
 * first's libraries: those are one jar, {@link #NAME} in the first build, which the second build's class path names
 * too ({@code ../app/lib/main/libraries.jar}); the first build's other libraries are {@link #OWN}. Each build keeps its
 * own copy of the jar that holds its launcher's {@code Main-Class}: Quarkus' entry point finds the build's
 * {@code quarkus/quarkus-application.dat} three directories up from the jar it was loaded from.
 *
 * <p>The merge keeps what each class path meant: the launcher's {@code Class-Path} keeps its other entries in their
 * places and names the entry point's jar and the merged jars where the first library was; of two entries of one name
 * the earlier jar's wins, as a class path's lookup finds it, and a merge that would change which jar a class is
 * found in, for either build, is refused (a resource that several jars carry under one name is one entry, the first
 * jar's); {@code META-INF/services} files are joined in class-path order within each merged jar (ServiceLoader
 * reads every jar's); each jar's licence and notice files are kept under {@code META-INF/licenses/JAR/}. Left out:
 * jar signatures (the image is fixed by its digest; the JDK would verify them at start and keep their classes out of
 * the cache), jar indexes, module descriptors, and the versioned entries of a jar that is not multi-release (its JVM
 * never read them). Directory entries are kept, so that a resource lookup of a directory finds it as before.
 */
final class LibraryJar {
    /** The merged jar of the libraries every build uses, two levels below the first build's directory. */
    static final String NAME = "lib/main/libraries.jar";
    /** The merged jar of the first build's libraries that no other build uses. */
    static final String OWN = "lib/main/own-libraries.jar";
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

    /** Merges the libraries ({@code lib/}) of the staged build at {@code app}; rewrites its launcher's class path. */
    static void merge(Path app) throws IOException {
        merge(app, List.of());
    }

    /**
     * Merges the libraries of the staged build {@code home} and of {@code guests}, builds of the same code staged
     * beside it whose libraries are among home's (the same files), and rewrites every launcher's class path.
     */
    static void merge(Path home, List<Path> guests) throws IOException {
        Build host = Build.read(home);
        List<Build> others = new ArrayList<>();
        for (Path guest : guests) {
            others.add(Build.read(guest));
        }
        // what some guest uses is shared, in home's class-path order; the rest is home's own
        Set<String> used = new HashSet<>();
        for (Build guest : others) {
            for (Path library : guest.merged()) {
                Path hosts = host.library(library.getFileName().toString());
                if (hosts == null || Files.mismatch(hosts, library) != -1) {
                    throw new IllegalStateException(guest.dir().relativize(library) + " of " + guest.dir()
                            + " is not among " + home + "'s libraries: build both from the same dependencies");
                }
                used.add(library.getFileName().toString());
            }
        }
        List<Path> shared = new ArrayList<>();
        List<Path> own = new ArrayList<>();
        for (Path library : host.merged()) {
            (others.isEmpty() || used.contains(library.getFileName().toString()) ? shared : own).add(library);
        }
        List<Path> hostAfter = new ArrayList<>(host.entryPoint().stream().toList());
        hostAfter.addAll(shared);
        hostAfter.addAll(own);
        host.requireSameLookups(hostAfter);
        for (Build guest : others) {
            List<Path> guestAfter = new ArrayList<>(guest.entryPoint().stream().toList());
            guestAfter.addAll(shared);
            guest.requireSameLookups(guestAfter);
        }

        Path merged = home.resolve(NAME);
        Path temporary = merged.resolveSibling("libraries.jar.tmp");
        write(shared, temporary);
        Path ownMerged = home.resolve(OWN);
        Path ownTemporary = ownMerged.resolveSibling("own-libraries.jar.tmp");
        if (!own.isEmpty()) {
            write(own, ownTemporary);
        }
        List<String> hostNames = new ArrayList<>(List.of(NAME));
        if (!own.isEmpty()) {
            hostNames.add(OWN);
        }
        host.replaceLibraries(hostNames);
        for (Build guest : others) {
            guest.replaceLibraries(List.of(guest.dir().relativize(merged).toString().replace('\\', '/')));
        }
        Files.move(temporary, merged);
        if (!own.isEmpty()) {
            Files.move(ownTemporary, ownMerged);
        }
    }

    /**
     * A staged build: its launcher's manifest, the class path's entries before the libraries, the libraries in order
     * and the one of them that holds the launcher's {@code Main-Class} (kept apart: see the class comment).
     */
    private record Build(Path dir, Path launcher, Manifest manifest, List<String> prefix, List<Path> libraries,
                         java.util.Optional<Path> entryPoint) {
        static Build read(Path dir) throws IOException {
            Path launcher = dir.resolve("quarkus-run.jar");
            Manifest manifest;
            try (JarFile jar = new JarFile(launcher.toFile(), false)) {
                manifest = jar.getManifest();
            }
            String classPath = manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null || classPath.isBlank()) {
                throw new IllegalStateException(launcher + " names no Class-Path: the image needs Quarkus' aot-jar "
                        + "layout (quarkus.package.jar.type=aot-jar in functions/src/main/resources/"
                        + "application.properties)");
            }
            List<String> prefix = new ArrayList<>();
            List<Path> libraries = new ArrayList<>();
            for (String entry : classPath.trim().split("\\s+")) {
                if (entry.startsWith("lib/")) {
                    libraries.add(dir.resolve(entry));
                } else if (!libraries.isEmpty()) {
                    throw new IllegalStateException(entry + " follows a library on " + launcher + "'s Class-Path: "
                            + "merging the libraries would change which of its classes is found first");
                } else {
                    prefix.add(entry);
                }
            }
            String main = manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            Path entryPoint = null;
            for (Path library : main == null ? List.<Path>of() : libraries) {
                try (JarFile jar = new JarFile(library.toFile(), false)) {
                    if (jar.getEntry(main.replace('.', '/') + ".class") != null) {
                        entryPoint = library;
                        break;
                    }
                }
            }
            return new Build(dir, launcher, manifest, prefix, libraries, java.util.Optional.ofNullable(entryPoint));
        }

        /** The libraries that go into merged jars: all but the entry point's. */
        List<Path> merged() {
            return libraries.stream().filter(l -> entryPoint.map(e -> !e.equals(l)).orElse(true)).toList();
        }

        Path library(String fileName) {
            return merged().stream().filter(l -> l.getFileName().toString().equals(fileName)).findFirst()
                    .orElse(null);
        }

        /** Refuses a merge after which this class path would find an entry in another library than it does now. */
        void requireSameLookups(List<Path> after) throws IOException {
            Map<String, String> was = firstFound(libraries);
            Map<String, String> is = firstFound(after);
            for (Map.Entry<String, String> entry : was.entrySet()) {
                if (!entry.getValue().equals(is.get(entry.getKey()))) {
                    throw new IllegalStateException("merging the libraries would change where " + launcher
                            + "'s class path finds " + entry.getKey() + ": in " + entry.getValue() + ", then in "
                            + is.get(entry.getKey()));
                }
            }
        }

        /** Deletes the merged libraries and names {@code names} (and the entry point's jar) where they were. */
        void replaceLibraries(List<String> names) throws IOException {
            for (Path library : merged()) {
                Files.delete(library);
            }
            try (Stream<Path> dirs = Files.list(dir.resolve("lib"))) {
                for (Path sub : dirs.filter(Files::isDirectory).toList()) {
                    if (isEmpty(sub)) {
                        Files.delete(sub);
                    }
                }
            }
            List<String> classPath = new ArrayList<>(prefix);
            entryPoint.ifPresent(e -> classPath.add(dir.relativize(e).toString().replace('\\', '/')));
            classPath.addAll(names);
            manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
            rewriteManifest(launcher, manifest);
        }
    }

    /**
     * For each class that {@link #write} copies, the file name of the first jar that has it. Classes only: a resource
     * that several jars carry under one name (Netty's version file, beans.xml) is one entry in a merged jar, the first
     * jar's, whatever the order; callers that want all of them read {@code META-INF/services}, which are joined.
     */
    private static Map<String, String> firstFound(List<Path> jars) throws IOException {
        Map<String, String> found = new java.util.HashMap<>();
        for (Path library : jars) {
            try (JarFile jar = new JarFile(library.toFile(), false)) {
                boolean versioned = isMultiRelease(jar);
                for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                    ZipEntry entry = entries.nextElement();
                    if (entry.getName().endsWith(".class") && !left(entry.getName(), versioned)) {
                        found.putIfAbsent(entry.getName(), library.getFileName().toString());
                    }
                }
            }
        }
        return found;
    }

    /**
     * Left out of a merged jar: its own manifest, jar indexes, signatures, the versioned entries of a jar that is not
     * multi-release, and module descriptors (which a class path ignores, and of which one jar can hold one).
     */
    private static boolean left(String name, boolean multiRelease) {
        return name.equals(JarFile.MANIFEST_NAME) || name.equals("META-INF/INDEX.LIST")
                || SIGNATURE.matcher(name).matches() || (!multiRelease && name.startsWith(VERSIONS))
                || name.equals("module-info.class") || name.endsWith("/module-info.class");
    }

    private static boolean isService(String name) {
        return name.startsWith(SERVICES) && name.indexOf('/', SERVICES.length()) < 0 && !name.equals(SERVICES);
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
                        if (left(name, versioned)) {
                            continue;
                        }
                        if (!entry.isDirectory() && isService(name)) {
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
