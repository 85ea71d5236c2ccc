package dev.fuseml.artifact.s3;

import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.eventing.Names;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Artifacts in an S3 bucket ({@code PREFIX/ORG/APP/RUN/NAME/FILE}) through the AWS SDK for Java v2: AWS S3, or any
 * S3-compatible store (MinIO, Ceph, ...) at its endpoint with path-style requests. Credentials come from the SDK's
 * default chain: system properties, {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN},
 * a web identity token file ({@code AWS_WEB_IDENTITY_TOKEN_FILE} and {@code AWS_ROLE_ARN}: EKS' IRSA), a profile,
 * container credentials (ECS, EKS Pod Identity) and instance profiles; none of them is ever logged. A file is spooled
 * first so that its size is bounded before anything is sent; one larger than a part goes up as a multipart upload
 * (aborted if a part fails). The SDK retries throttling and server errors (standard mode).
 */
public class S3Artifacts implements ArtifactStorage {
    /**
     * Where the bucket is and how requests go.
     *
     * @param endpoint the store's URL: AWS' ({@code https://s3.amazonaws.com}, regional endpoints chosen by the SDK)
     *                 or another store's ({@code http://minio:9000}), then addressed path-style
     * @param prefix   keys start with it ("" for none; "fuseml/" keeps FuseML's artifacts in one folder)
     * @param pageSize keys per listing request (S3 gives at most 1,000)
     * @param partSize bytes per part of a multipart upload, and the size above which a file is sent in parts
     *                 (S3's smallest part is 5 MiB)
     * @param attempts tries per request, the first included
     */
    public record Settings(URI endpoint, String bucket, String prefix, String region, int pageSize, long partSize,
            int attempts) {
        public static final long DEFAULT_PART = 16L << 20;

        public Settings(URI endpoint, String bucket, String prefix, String region) {
            this(endpoint, bucket, prefix, region, 1000, DEFAULT_PART, 4);
        }

        /** AWS' own endpoint: the SDK picks the regional host and virtual-hosted addressing itself. */
        boolean aws() {
            return endpoint.getHost() != null && endpoint.getHost().endsWith(".amazonaws.com");
        }
    }

    private final Settings settings;
    private final String prefix;
    private final Path spool;
    private final S3Client s3;

    /**
     * @param credentials the SDK's default chain in production ({@code DefaultCredentialsProvider}); resolved once
     *                    here, so that a deployment without any fails at start, naming where credentials may come
     *                    from
     * @param spool       where files wait while their size is taken
     */
    public S3Artifacts(Settings settings, AwsCredentialsProvider credentials, Path spool) {
        if (settings.bucket() == null || !settings.bucket().matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalStateException("fuseml.artifacts.s3-bucket '" + settings.bucket() + "' is not a "
                    + "bucket name (3-63 lowercase letters, digits, dots and hyphens)");
        }
        try {
            credentials.resolveCredentials();
        } catch (SdkException e) {
            throw new IllegalStateException("artifacts go to bucket " + settings.bucket() + " but no AWS credentials "
                    + "were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (on a cluster, from the Secret "
                    + "fuseml-artifacts-s3), or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (IRSA), or run where "
                    + "a profile, container or instance credentials exist (" + e.getMessage() + ")");
        }
        this.settings = settings;
        this.prefix = settings.prefix() == null ? "" : settings.prefix().replaceAll("^/+", "");
        this.spool = spool;
        var builder = S3Client.builder().region(Region.of(settings.region())).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2)))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(settings.attempts())))
                // checksums only where S3 requires them: many S3-compatible stores refuse the SDK's newer
                // default (aws-chunked bodies with trailing CRC32s)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation
                        .WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation
                        .WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(!settings.aws())
                        .chunkedEncodingEnabled(false).build());
        if (!settings.aws()) {
            builder.endpointOverride(URI.create(settings.endpoint().toString().replaceAll("/+$", "")));
        }
        this.s3 = builder.build();
    }

    /** With the SDK's default credentials chain: environment, web identity (IRSA), profile, container, instance. */
    public static S3Artifacts withDefaultCredentials(Settings settings, Path spool) {
        return new S3Artifacts(settings, software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.builder()
                .build(), spool);
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
            long size = spoolBounded(content, tmp);
            if (size <= settings.partSize()) {
                call("PUT", key, () -> s3.putObject(r -> r.bucket(settings.bucket()).key(key).contentLength(size),
                        RequestBody.fromFile(tmp)));
            } else {
                multipart(key, tmp, size);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies at most {@link #MAX_FILE_BYTES} to {@code tmp}: a stream that goes on is refused, not spooled. */
    private static long spoolBounded(InputStream content, Path tmp) throws IOException {
        long size = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = content; OutputStream out = Files.newOutputStream(tmp)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                size += n;
                if (size > MAX_FILE_BYTES) {
                    throw new IllegalArgumentException("an artifact file may hold at most " + (MAX_FILE_BYTES >> 20)
                            + " MiB");
                }
                out.write(buffer, 0, n);
            }
        }
        return size;
    }

    /** Parts of {@code partSize} bytes, read one at a time from the spooled file; an error aborts the upload. */
    private void multipart(String key, Path file, long size) throws IOException {
        String uploadId = call("POST", key, () -> s3.createMultipartUpload(r -> r.bucket(settings.bucket()).key(key)))
                .uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            try (InputStream in = Files.newInputStream(file)) {
                for (int number = 1; (long) (number - 1) * settings.partSize() < size; number++) {
                    byte[] part = in.readNBytes((int) Math.min(settings.partSize(),
                            size - (number - 1) * settings.partSize()));
                    int n = number;
                    String etag = call("PUT", key + " (part " + n + ")", () -> s3.uploadPart(r -> r
                            .bucket(settings.bucket()).key(key).uploadId(uploadId).partNumber(n)
                            .contentLength((long) part.length), RequestBody.fromBytes(part))).eTag();
                    parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
                }
            }
            call("POST", key + " (complete)", () -> s3.completeMultipartUpload(r -> r.bucket(settings.bucket())
                    .key(key).uploadId(uploadId).multipartUpload(u -> u.parts(parts))));
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(uploadId));
            } catch (SdkException abortFailed) {
                e.addSuppressed(abortFailed); // the bucket's lifecycle rules clean up what is left
            }
            throw e;
        }
    }

    @Override
    public Optional<InputStream> read(ArtifactUri artifact, String relative) throws IOException {
        String key = key(artifact, ArtifactStorage.inside(artifact, relative));
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(settings.bucket()).key(key));
            return Optional.of(in);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw refused("GET", key, e);
        } catch (SdkException e) {
            throw unreachable("GET", key, e);
        }
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
        deleteKey(key);
    }

    @Override
    public void deleteApp(String org, String app) {
        Names.require("org", org);
        Names.require("app", app);
        deleteAll(prefix + org + "/" + app + "/");
    }

    private void deleteAll(String folder) {
        try {
            keys(folder).keySet().forEach(this::deleteKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deleteKey(String key) {
        try {
            call("DELETE", key, () -> s3.deleteObject(r -> r.bucket(settings.bucket()).key(key)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every key under {@code folder} with its size (ListObjectsV2, page by page). */
    private Map<String, Long> keys(String folder) throws IOException {
        Map<String, Long> keys = new TreeMap<>();
        call("GET", folder + " (list)", () -> {
            for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(folder)
                    .maxKeys(settings.pageSize())).contents()) {
                keys.put(o.key(), o.size());
            }
            return keys;
        });
        return keys;
    }

    private <T> T call(String method, String key, java.util.function.Supplier<T> request) throws IOException {
        try {
            return request.get();
        } catch (S3Exception e) {
            throw refused(method, key, e);
        } catch (SdkException e) {
            throw unreachable(method, key, e);
        }
    }

    private IOException refused(String method, String key, S3Exception e) {
        String code = e.awsErrorDetails() == null ? "" : " " + e.awsErrorDetails().errorCode();
        String hint = e.statusCode() == 403 ? ": check the AWS credentials (AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY, or the role of AWS_ROLE_ARN) and that they may use bucket "
                + settings.bucket() : e.statusCode() == 404 ? ": check that bucket " + settings.bucket() + " exists"
                : "";
        return new IOException("S3 at " + settings.endpoint() + " refused " + method + " " + key + " ("
                + e.statusCode() + code + ")" + hint);
    }

    private IOException unreachable(String method, String key, SdkException e) {
        return new IOException("S3 at " + settings.endpoint() + " did not answer " + method + " " + key + " after "
                + settings.attempts() + " attempts (" + e.getMessage() + "): check FUSEML_ARTIFACTS_S3_ENDPOINT");
    }
}
