package dev.fuseml.artifact.s3;

import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.eventing.Names;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Artifacts in an S3-compatible bucket ({@code PREFIX/ORG/APP/RUN/NAME/FILE}), with path-style requests signed with
 * AWS Signature Version 4 over the JDK's HTTP client: AWS S3, MinIO, Ceph and the like. A file is spooled to a
 * temporary file first, so that its size is bounded before anything is sent and its SHA-256 is signed. The
 * credentials come from the environment (on a cluster, a Secret); neither they nor a signature are ever logged.
 */
public class S3Artifacts implements ArtifactStorage {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final int PAGE = 1000;
    private final URI endpoint;
    private final String bucket;
    private final String prefix;
    private final SigV4 signer;
    private final Path spool;
    private final Clock clock;
    private final int pageSize;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param endpoint the store's URL (https://s3.REGION.amazonaws.com, http://minio:9000)
     * @param prefix   keys start with it ("" for none; "fuseml/" keeps FuseML's artifacts in one folder)
     * @param spool    where files wait while their size and hash are taken
     */
    public S3Artifacts(URI endpoint, String bucket, String prefix, String region, String accessKey,
            String secretKey, Path spool, Clock clock) {
        this(endpoint, bucket, prefix, region, accessKey, secretKey, spool, clock, PAGE);
    }

    S3Artifacts(URI endpoint, String bucket, String prefix, String region, String accessKey, String secretKey,
            Path spool, Clock clock, int pageSize) {
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalStateException("fuseml.artifacts.s3-bucket '" + bucket + "' is not a bucket name "
                    + "(3-63 lowercase letters, digits, dots and hyphens)");
        }
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
            throw new IllegalStateException("artifacts go to bucket " + bucket + ": set AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY (on a cluster, from the Secret fuseml-artifacts-s3)");
        }
        this.endpoint = URI.create(endpoint.toString().replaceAll("/+$", ""));
        this.bucket = bucket;
        this.prefix = prefix == null ? "" : prefix.replaceAll("^/+", "");
        this.signer = new SigV4(accessKey, secretKey, region, "s3");
        this.spool = spool;
        this.clock = clock;
        this.pageSize = pageSize;
    }

    private String key(ArtifactUri artifact, String relative) {
        return prefix + artifact.path().replace('\\', '/') + "/" + relative;
    }

    private String folder(ArtifactUri artifact) {
        return prefix + artifact.path().replace('\\', '/') + "/";
    }

    @Override
    public void write(ArtifactUri artifact, String relative, InputStream content) throws IOException {
        String key = key(artifact, ArtifactStorage.inside(artifact, relative));
        Files.createDirectories(spool);
        Path tmp = Files.createTempFile(spool, "upload", ".part");
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            long size;
            try (InputStream in = new DigestInputStream(content, sha256)) {
                size = Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (size > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("an artifact file may hold at most " + (MAX_FILE_BYTES >> 20)
                        + " MiB");
            }
            send("PUT", key, Map.of(), HttpRequest.BodyPublishers.ofFile(tmp),
                    HexFormat.of().formatHex(sha256.digest()), HttpResponse.BodyHandlers.ofByteArray(), 200);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<InputStream> read(ArtifactUri artifact, String relative) throws IOException {
        HttpResponse<InputStream> response = send("GET", key(artifact, ArtifactStorage.inside(artifact, relative)),
                Map.of(), HttpRequest.BodyPublishers.noBody(), SigV4.EMPTY_SHA256,
                HttpResponse.BodyHandlers.ofInputStream(), 200, 404);
        if (response.statusCode() == 404) {
            response.body().close();
            return Optional.empty();
        }
        return Optional.of(response.body());
    }

    @Override
    public List<FileInfo> list(ArtifactUri artifact) throws IOException {
        String folder = folder(artifact);
        return keys(folder).entrySet().stream().map(e -> new FileInfo(e.getKey().substring(folder.length()),
                e.getValue())).toList();
    }

    @Override
    public void delete(ArtifactUri artifact) {
        deleteAll(folder(artifact));
    }

    @Override
    public void delete(ArtifactUri artifact, String relative) {
        String key = folder(artifact) + ArtifactStorage.inside(artifact, relative);
        deleteAll(key + "/"); // a directory's files
        try {
            send("DELETE", key, Map.of(), HttpRequest.BodyPublishers.noBody(), SigV4.EMPTY_SHA256,
                    HttpResponse.BodyHandlers.ofByteArray(), 204, 200, 404);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void deleteApp(String org, String app) {
        Names.require("org", org);
        Names.require("app", app);
        deleteAll(prefix + org + "/" + app + "/");
    }

    private void deleteAll(String folder) {
        try {
            for (String key : keys(folder).keySet()) {
                send("DELETE", key, Map.of(), HttpRequest.BodyPublishers.noBody(), SigV4.EMPTY_SHA256,
                        HttpResponse.BodyHandlers.ofByteArray(), 204, 200, 404);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every key under {@code folder} with its size (ListObjectsV2, page by page). */
    private Map<String, Long> keys(String folder) throws IOException {
        Map<String, Long> keys = new TreeMap<>();
        String token = null;
        do {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("list-type", "2");
            query.put("prefix", folder);
            query.put("max-keys", String.valueOf(pageSize));
            if (token != null) {
                query.put("continuation-token", token);
            }
            HttpResponse<byte[]> response = send("GET", "", query, HttpRequest.BodyPublishers.noBody(),
                    SigV4.EMPTY_SHA256, HttpResponse.BodyHandlers.ofByteArray(), 200);
            Document page = xml(response.body());
            NodeList contents = page.getElementsByTagName("Contents");
            for (int i = 0; i < contents.getLength(); i++) {
                Element c = (Element) contents.item(i);
                keys.put(text(c, "Key"), Long.parseLong(text(c, "Size")));
            }
            boolean truncated = "true".equals(text(page.getDocumentElement(), "IsTruncated"));
            token = truncated ? text(page.getDocumentElement(), "NextContinuationToken") : null;
        } while (token != null && !token.isEmpty());
        return keys;
    }

    private <T> HttpResponse<T> send(String method, String key, Map<String, String> query,
            HttpRequest.BodyPublisher body, String payloadHash, HttpResponse.BodyHandler<T> handler, int... ok)
            throws IOException {
        String path = "/" + bucket + (key.isEmpty() ? "/" : "/" + SigV4.encodePath(key));
        String queryString = String.join("&", new TreeMap<>(query).entrySet().stream()
                .map(e -> SigV4.encode(e.getKey()) + "=" + SigV4.encode(e.getValue())).toList());
        URI uri = URI.create(endpoint + path + (queryString.isEmpty() ? "" : "?" + queryString));
        String host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", host);
        headers.put("x-amz-content-sha256", payloadHash);
        headers.put("x-amz-date", AMZ_DATE.format(clock.instant()));
        String basePath = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10))
                .method(method, body)
                .header("x-amz-content-sha256", payloadHash).header("x-amz-date", headers.get("x-amz-date"))
                .header("Authorization", signer.authorization(method, basePath + path, query, headers, payloadHash));
        HttpResponse<T> response;
        try {
            response = http.send(request.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to the bucket", e);
        }
        for (int status : ok) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        String detail = response.body() instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
                : response.body() instanceof InputStream in ? new String(in.readNBytes(2048), StandardCharsets.UTF_8)
                : "";
        String code = detail.replaceAll("(?s).*<Code>([^<]*)</Code>.*", "$1");
        throw new IOException("the bucket " + bucket + " at " + endpoint + " refused " + method + " " + key
                + " (" + response.statusCode() + (code.equals(detail) || code.isBlank() ? "" : " " + code) + ")"
                + (response.statusCode() == 403 ? ": check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the "
                + "bucket's policy" : response.statusCode() == 404 && key.isEmpty() ? ": create the bucket" : ""));
    }

    private static Document xml(byte[] body) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // a listing is data: no DTDs, no external entities
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(body));
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException("the bucket's listing is not the XML S3 answers: " + e.getMessage());
        }
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent();
    }

    @Override
    public String toString() {
        return "s3 bucket " + bucket + " at " + endpoint; // never the credentials
    }
}
