package dev.fuseml.extension;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fuseml.FusemlConfig;
import dev.fuseml.eventing.Names;
import dev.fuseml.state.JsonFiles;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The extension registry: one JSON record per extension under {@code extensions/ORG/} (global ones under
 * {@code extensions/_global/}), its credentials beside it sealed ({@link CredentialBox}, mode 0600). Every input is
 * checked here with the rule it breaks: names are DNS labels, kinds are {@link Extension#KINDS}, URLs absolute
 * http(s), credentials a flat map of at most {@value #MAX_CREDENTIAL_BYTES} bytes.
 */
@ApplicationScoped
public class ExtensionStore {
    static final int MAX_CREDENTIAL_BYTES = 16 * 1024;
    static final int MAX_PER_ORG = 100;
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
    };
    private final Path dir;
    private final CredentialBox box;

    @jakarta.inject.Inject
    public ExtensionStore(FusemlConfig config) {
        this(config.dataDir().resolve("extensions"), config.systemToken());
    }

    ExtensionStore(Path dir, Optional<String> systemToken) {
        this.dir = dir;
        this.box = new CredentialBox(systemToken.filter(t -> !t.isBlank())
                .map(t -> t.getBytes(StandardCharsets.UTF_8)).orElseGet(this::keyFile));
    }

    /** Adds or replaces an extension; {@code credentials} (may be empty) are sealed and kept apart. */
    public synchronized Extension put(String org, String name, String kind, String url, String description,
            Map<String, String> credentials) {
        if (!Extension.GLOBAL.equals(org)) {
            Names.require("org", org);
        }
        Names.require("extension", name);
        if (kind == null || !Extension.KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind '" + kind + "' is not one FuseML knows: use one of "
                    + String.join(", ", Extension.KINDS));
        }
        requireUrl(url);
        if (description != null && description.length() > 200) {
            throw new IllegalArgumentException("the description is " + description.length() + " characters: keep it "
                    + "within 200");
        }
        byte[] secret = credentials == null || credentials.isEmpty() ? null : json(credentials);
        if (secret != null && secret.length > MAX_CREDENTIAL_BYTES) {
            throw new IllegalArgumentException("the credentials are " + secret.length + " bytes: at most "
                    + MAX_CREDENTIAL_BYTES + " (keys and secrets, not files)");
        }
        Path folder = folder(org);
        if (!Files.exists(record(org, name)) && list(org).size() >= MAX_PER_ORG) {
            throw new IllegalArgumentException("org " + org + " has " + MAX_PER_ORG + " extensions already: delete "
                    + "one first (fuseml extensions delete NAME)");
        }
        Extension extension = new Extension(org, name, kind, url, description, secret != null, Instant.now());
        try {
            Files.createDirectories(folder);
            Path sealed = folder.resolve(name + ".sealed");
            if (secret == null) {
                Files.deleteIfExists(sealed);
            } else {
                Files.write(sealed, box.seal(org + "/" + name, secret));
                Files.setPosixFilePermissions(sealed, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonFiles.write(record(org, name), extension);
        return extension;
    }

    public List<Extension> list(String org) {
        List<Extension> all = new ArrayList<>();
        Path folder = folder(org);
        if (!Files.isDirectory(folder)) {
            return all;
        }
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(f -> f.toString().endsWith(".json")).sorted()
                    .forEach(f -> JsonFiles.read(f, Extension.class).ifPresent(all::add));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    public Optional<Extension> get(String org, String name) {
        return JsonFiles.read(record(org, name), Extension.class);
    }

    /** The extension's credentials, for the step that uses it: never for an API answer or a log line. */
    public Map<String, String> credentials(String org, String name) {
        Path sealed = folder(org).resolve(name + ".sealed");
        try {
            if (!Files.isRegularFile(sealed)) {
                return Map.of();
            }
            return JsonFiles.MAPPER.readValue(box.open(org + "/" + name, Files.readAllBytes(sealed)), MAP);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The extension of {@code kind} a run of {@code org} uses: the one named (the org's, else the global one of that
     * name), or the only one of the kind among the org's and the global ones.
     *
     * @return empty when nothing is named and none of the kind is registered
     * @throws IllegalArgumentException when the named one is missing or of another kind, or several of the kind
     *                                  are registered and none is named; the message says what to do
     */
    public Optional<Extension> choose(String org, String kind, String name) {
        if (!Extension.KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind '" + kind + "' is not one FuseML knows: use one of "
                    + String.join(", ", Extension.KINDS));
        }
        if (name != null) {
            Extension named = get(org, Names.require("extension", name)).or(() -> get(Extension.GLOBAL, name))
                    .orElseThrow(() -> new IllegalArgumentException("the project names extension '" + name
                            + "', which org " + org + " has not registered: fuseml extensions add " + name
                            + " --kind " + kind + " --url URL"));
            if (!named.kind().equals(kind)) {
                throw new IllegalArgumentException("extension '" + name + "' is a " + named.kind() + ", not a "
                        + kind + ": name a " + kind + " extension (fuseml extensions lists them)");
            }
            return Optional.of(named);
        }
        List<Extension> candidates = new ArrayList<>(list(org).stream().filter(e -> e.kind().equals(kind)).toList());
        if (candidates.isEmpty()) {
            candidates.addAll(list(Extension.GLOBAL).stream().filter(e -> e.kind().equals(kind)).toList());
        }
        if (candidates.size() > 1) {
            throw new IllegalArgumentException("org " + org + " has " + candidates.size() + " " + kind
                    + " extensions (" + String.join(", ", candidates.stream().map(Extension::name).toList())
                    + "): name the one to use in the project's MLproject");
        }
        return candidates.stream().findFirst();
    }

    public synchronized boolean delete(String org, String name) {
        try {
            Files.deleteIfExists(folder(org).resolve(name + ".sealed"));
            return Files.deleteIfExists(record(org, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path folder(String org) {
        return dir.resolve(Extension.GLOBAL.equals(org) ? "_global" : Names.require("org", org));
    }

    private Path record(String org, String name) {
        return folder(org).resolve(Names.require("extension", name) + ".json");
    }

    private static void requireUrl(String url) {
        URI uri;
        try {
            uri = url == null || url.length() > 2048 ? null : new URI(url);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !List.of("http", "https", "s3").contains(
                String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT)) || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("url '" + (url == null ? "" : url.substring(0, Math.min(url.length(),
                    80))) + "' is not an absolute http(s) URL (or s3://BUCKET for a store) without credentials in "
                    + "it: give credentials with --credentials-file");
        }
    }

    private static byte[] json(Map<String, String> credentials) {
        try {
            return JsonFiles.MAPPER.writeValueAsBytes(credentials);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where there is no system token (a test, auth off): a random key of this data directory, 0600. */
    private byte[] keyFile() {
        Path file = dir.resolve(".key");
        try {
            if (!Files.isRegularFile(file)) {
                Files.createDirectories(dir);
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                Files.write(file, key);
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
