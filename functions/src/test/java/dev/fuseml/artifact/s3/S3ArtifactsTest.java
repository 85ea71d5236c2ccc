package dev.fuseml.artifact.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.registry.ModelRegistry;
import dev.fuseml.registry.local.DirectoryModelStore;
import dev.fuseml.step.StepFailure;
import dev.fuseml.testing.TestConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Artifacts in a bucket, against a small S3 endpoint in the test (PUT, GET, DELETE, ListObjectsV2 with continuation
 * tokens) that checks every request's SigV4 signature the way S3 does: recomputed from the request as received
 * (the signer itself matches AWS' published examples, SigV4Test), and the payload hash against the body.
 */
class S3ArtifactsTest {
    private static final String ACCESS = "AKIDFUSEMLTEST";
    private static final String SECRET = "fuseml/test/secret+key";
    private static final ArtifactUri MODEL = new ArtifactUri("workspace", "wine", "wine-1", "model");
    @TempDir
    Path dir;
    private HttpServer server;
    private final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startS3() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stopS3() {
        server.stop(0);
    }

    private S3Artifacts store(String secret, int pageSize) {
        return new S3Artifacts(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "fuseml-artifacts",
                "fuseml/", "eu-west-1", ACCESS, secret, dir.resolve("spool"), Clock.systemUTC(), pageSize);
    }

    @Test
    void filesAreWrittenListedReadAndDeletedPerArtifactAndPerApp() throws Exception {
        S3Artifacts s3 = store(SECRET, 1000);
        s3.write(MODEL, "MLmodel", stream("flavors: {}"));
        s3.write(MODEL, "sub dir/model.pkl", stream("12345"));
        ArtifactUri other = new ArtifactUri("workspace", "wine", "wine-2", "model");
        s3.write(other, "MLmodel", stream("x"));

        assertThat(objects).containsKeys("fuseml/workspace/wine/wine-1/model/MLmodel",
                "fuseml/workspace/wine/wine-1/model/sub dir/model.pkl");
        assertThat(s3.list(MODEL)).containsExactly(new ArtifactStorage.FileInfo("MLmodel", 11),
                new ArtifactStorage.FileInfo("sub dir/model.pkl", 5));
        try (InputStream in = s3.read(MODEL, "sub dir/model.pkl").orElseThrow()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("12345");
        }
        assertThat(s3.read(MODEL, "none.bin")).isEmpty();
        assertThat(dir.resolve("spool")).isEmptyDirectory();

        s3.write(MODEL, "sub dirty.txt", stream("kept"));
        s3.delete(MODEL, "sub dir"); // a directory of the artifact, not what merely starts like it
        assertThat(s3.list(MODEL)).extracting(ArtifactStorage.FileInfo::path).containsExactly("MLmodel",
                "sub dirty.txt");
        s3.delete(MODEL, "sub dirty.txt");
        assertThat(s3.list(MODEL)).extracting(ArtifactStorage.FileInfo::path).containsExactly("MLmodel");

        s3.delete(MODEL);
        assertThat(s3.list(MODEL)).isEmpty();
        assertThat(s3.list(other)).hasSize(1);
        s3.deleteApp("workspace", "wine");
        assertThat(objects).isEmpty();
    }

    @Test
    void aListingLongerThanAPageIsReadPageByPage() throws Exception {
        S3Artifacts s3 = store(SECRET, 2);
        for (int i = 0; i < 5; i++) {
            s3.write(MODEL, "part-" + i, stream("p" + i));
        }
        assertThat(s3.list(MODEL)).extracting(ArtifactStorage.FileInfo::path)
                .containsExactly("part-0", "part-1", "part-2", "part-3", "part-4");
    }

    @Test
    void wrongCredentialsAreRefusedNamingWhatToCheck() {
        S3Artifacts s3 = store("not-the-secret", 1000);
        assertThatThrownBy(() -> s3.write(MODEL, "MLmodel", stream("x"))).isInstanceOf(IOException.class)
                .hasMessageContaining("refused PUT fuseml/workspace/wine/wine-1/model/MLmodel (403 "
                        + "SignatureDoesNotMatch)").hasMessageContaining("AWS_SECRET_ACCESS_KEY")
                .hasMessageNotContaining("not-the-secret");
        assertThat(objects).isEmpty();
    }

    @Test
    void aPathThatLeavesTheArtifactIsRefusedBeforeAnyRequest() {
        S3Artifacts s3 = store(SECRET, 1000);
        for (String bad : List.of("../other/MLmodel", "/etc/passwd", "a//b", "", "a/./b")) {
            assertThatThrownBy(() -> s3.write(MODEL, bad, stream("x"))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a file inside");
        }
        assertThat(requests).hasValue(0);
    }

    @Test
    void missingCredentialsOrABadBucketNameAreRefusedAtStartWithTheFix() {
        assertThatThrownBy(() -> new S3Artifacts(URI.create("http://127.0.0.1:1"), "fuseml", "", "us-east-1",
                null, null, dir, Clock.systemUTC())).hasMessageContaining("set AWS_ACCESS_KEY_ID");
        assertThatThrownBy(() -> new S3Artifacts(URI.create("http://127.0.0.1:1"), "Bad_Bucket", "", "us-east-1",
                "a", "b", dir, Clock.systemUTC())).hasMessageContaining("is not a bucket name");
    }

    @Test
    void theRegistryReadsAModelFromTheBucket() throws Exception {
        S3Artifacts s3 = store(SECRET, 1000);
        s3.write(MODEL, "MLmodel", stream("flavors:\n  python_function: {model_path: model.pkl}\n"
                + "  sklearn: {pickled_model: model.pkl}\n"));
        DirectoryModelStore registry = new DirectoryModelStore(new TestConfig(dir), s3);
        ModelRegistry.Registration registration = new ModelRegistry.Registration("wine-1", "r", "c", Map.of(),
                Map.of(), "env", MODEL.toString());

        assertThatThrownBy(() -> registry.register("workspace", "wine", registration))
                .isInstanceOf(StepFailure.class).hasMessageContaining("'model.pkl', which is not in the model");
        s3.write(MODEL, "model.pkl", stream("pickle"));
        assertThat(registry.register("workspace", "wine", registration).flavors())
                .contains("sklearn", "python_function");
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** What S3 does with a request: check its signature, then store, read, delete or list. */
    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        byte[] body = exchange.getRequestBody().readAllBytes();
        String rawPath = exchange.getRequestURI().getRawPath();
        Map<String, String> query = new TreeMap<>();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length < 2 ? ""
                        : URLDecoder.decode(kv[1].replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        String payloadHash = exchange.getRequestHeaders().getFirst("x-amz-content-sha256");
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("host", exchange.getRequestHeaders().getFirst("Host"));
        signed.put("x-amz-content-sha256", payloadHash);
        signed.put("x-amz-date", exchange.getRequestHeaders().getFirst("x-amz-date"));
        String expected = new SigV4(ACCESS, SECRET, "eu-west-1", "s3").authorization(exchange.getRequestMethod(),
                rawPath, query, signed, payloadHash);
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))
                || !SigV4.sha256Hex(body).equals(payloadHash)) {
            answer(exchange, 403, "<Error><Code>SignatureDoesNotMatch</Code></Error>");
            return;
        }
        String prefix = "/fuseml-artifacts/";
        if (!rawPath.startsWith(prefix)) {
            answer(exchange, 404, "<Error><Code>NoSuchBucket</Code></Error>");
            return;
        }
        String key = URLDecoder.decode(rawPath.substring(prefix.length()).replace("+", "%2B"),
                StandardCharsets.UTF_8);
        switch (exchange.getRequestMethod()) {
            case "PUT" -> {
                objects.put(key, body);
                answer(exchange, 200, "");
            }
            case "DELETE" -> {
                objects.remove(key);
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            }
            case "GET" -> {
                if (!key.isEmpty()) {
                    byte[] object = objects.get(key);
                    if (object == null) {
                        answer(exchange, 404, "<Error><Code>NoSuchKey</Code></Error>");
                    } else {
                        exchange.sendResponseHeaders(200, object.length);
                        exchange.getResponseBody().write(object);
                        exchange.close();
                    }
                    return;
                }
                List<String> keys = new ArrayList<>(objects.keySet().stream()
                        .filter(k -> k.startsWith(query.getOrDefault("prefix", ""))).toList());
                int from = Integer.parseInt(query.getOrDefault("continuation-token", "0"));
                int max = Integer.parseInt(query.getOrDefault("max-keys", "1000"));
                int to = Math.min(keys.size(), from + max);
                StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        + "<ListBucketResult><Name>fuseml-artifacts</Name>");
                for (String k : keys.subList(from, to)) {
                    xml.append("<Contents><Key>").append(k).append("</Key><Size>").append(objects.get(k).length)
                            .append("</Size></Contents>");
                }
                xml.append("<IsTruncated>").append(to < keys.size()).append("</IsTruncated>");
                if (to < keys.size()) {
                    xml.append("<NextContinuationToken>").append(to).append("</NextContinuationToken>");
                }
                answer(exchange, 200, xml.append("</ListBucketResult>").toString());
            }
            default -> answer(exchange, 405, "");
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
