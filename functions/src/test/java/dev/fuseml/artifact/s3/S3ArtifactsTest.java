package dev.fuseml.artifact.s3;

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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The S3 store on the AWS SDK, against an S3 endpoint in the test ({@link FakeS3}: it checks every signature):
 * files, listings, multipart uploads, retries, and credentials as the SDK's default chain finds them (static keys, a
 * session token, a web identity token file traded at STS).
 */
class S3ArtifactsTest {
    private static final String ACCESS = "AKIDFUSEMLTEST";
    private static final String SECRET = "fuseml/test/secret+key";
    private static final ArtifactUri MODEL = new ArtifactUri("workspace", "wine", "wine-1", "model");
    /** The SDK's smallest part that S3 takes (5 MiB): a 12 MiB file goes up in three parts. */
    private static final long PART = 5L << 20;
    /** System properties the default credentials chain reads; each test that sets them clears them. */
    private static final List<String> AWS_PROPERTIES = List.of("aws.accessKeyId", "aws.secretAccessKey",
            "aws.sessionToken", "aws.webIdentityTokenFile", "aws.roleArn", "aws.roleSessionName",
            "aws.endpointUrlSts", "aws.region", "aws.disableEc2Metadata");
    @TempDir
    Path dir;
    private FakeS3 s3;

    @BeforeEach
    void startS3() throws IOException {
        s3 = new FakeS3("fuseml-artifacts").accept(ACCESS, SECRET);
    }

    @AfterEach
    void stopS3() {
        s3.close();
        AWS_PROPERTIES.forEach(System::clearProperty);
    }

    private S3Artifacts store(AwsCredentialsProvider credentials, int pageSize) {
        return new S3Artifacts(new S3Artifacts.Settings(s3.endpoint(), "fuseml-artifacts", "fuseml/", FakeS3.REGION,
                pageSize, PART, 3), credentials, dir.resolve("spool"));
    }

    private static AwsCredentialsProvider keys(String secret) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, secret));
    }

    @Test
    void filesAreWrittenListedReadAndDeletedPerArtifactAndPerApp() throws Exception {
        S3Artifacts store = store(keys(SECRET), 1000);
        store.write(MODEL, "MLmodel", stream("flavors: {}"));
        store.write(MODEL, "sub dir/model.pkl", stream("12345"));
        ArtifactUri other = new ArtifactUri("workspace", "wine", "wine-2", "model");
        store.write(other, "MLmodel", stream("x"));

        assertThat(s3.objects).containsKeys("fuseml/workspace/wine/wine-1/model/MLmodel",
                "fuseml/workspace/wine/wine-1/model/sub dir/model.pkl");
        assertThat(store.list(MODEL)).containsExactly(new ArtifactStorage.FileInfo("MLmodel", 11),
                new ArtifactStorage.FileInfo("sub dir/model.pkl", 5));
        try (InputStream in = store.read(MODEL, "sub dir/model.pkl").orElseThrow()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("12345");
        }
        assertThat(store.read(MODEL, "none.bin")).isEmpty();
        assertThat(dir.resolve("spool")).isEmptyDirectory();

        store.write(MODEL, "sub dirty.txt", stream("kept"));
        store.delete(MODEL, "sub dir"); // a directory of the artifact, not what merely starts like it
        assertThat(store.list(MODEL)).extracting(ArtifactStorage.FileInfo::path).containsExactly("MLmodel",
                "sub dirty.txt");
        store.delete(MODEL, "sub dirty.txt");
        assertThat(store.list(MODEL)).extracting(ArtifactStorage.FileInfo::path).containsExactly("MLmodel");

        store.delete(MODEL);
        assertThat(store.list(MODEL)).isEmpty();
        assertThat(store.list(other)).hasSize(1);
        store.deleteApp("workspace", "wine");
        assertThat(s3.objects).isEmpty();
    }

    @Test
    void aListingLongerThanAPageIsReadPageByPage() throws Exception {
        S3Artifacts store = store(keys(SECRET), 2);
        for (int i = 0; i < 5; i++) {
            store.write(MODEL, "part-" + i, stream("p" + i));
        }
        assertThat(store.list(MODEL)).extracting(ArtifactStorage.FileInfo::path)
                .containsExactly("part-0", "part-1", "part-2", "part-3", "part-4");
        assertThat(s3.requests.stream().filter(r -> r.startsWith("GET /fuseml-artifacts?"))).hasSize(3);
    }

    @Test
    void aFileLargerThanAPartGoesUpInPartsAndReadsBackWhole() throws Exception {
        byte[] model = new byte[(int) (2 * PART + 1234)];
        new Random(7).nextBytes(model);
        S3Artifacts store = store(keys(SECRET), 1000);
        store.write(MODEL, "model.onnx", new ByteArrayInputStream(model));
        assertThat(s3.multipartUploads.get("fuseml/workspace/wine/wine-1/model/model.onnx"))
                .containsExactly((int) PART, (int) PART, 1234);
        try (InputStream in = store.read(MODEL, "model.onnx").orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(model);
        }
        store.write(MODEL, "small", stream("one request"));
        assertThat(s3.multipartUploads).doesNotContainKey("fuseml/workspace/wine/wine-1/model/small");
    }

    @Test
    void aThrottledRequestIsRetriedAndOneThatStaysThrottledFailsNamingTheAttempts() throws Exception {
        S3Artifacts store = store(keys(SECRET), 1000);
        s3.slowDowns.set(2);
        store.write(MODEL, "MLmodel", stream("flavors: {}"));
        assertThat(s3.objects).containsKey("fuseml/workspace/wine/wine-1/model/MLmodel");
        assertThat(s3.requests.stream().filter(r -> r.startsWith("PUT "))).hasSize(3);

        s3.slowDowns.set(10);
        assertThatThrownBy(() -> store.write(MODEL, "other", stream("x"))).isInstanceOf(IOException.class)
                .hasMessageContaining("refused PUT fuseml/workspace/wine/wine-1/model/other (503 SlowDown)");
    }

    @Test
    void wrongCredentialsAreRefusedNamingWhatToCheck() {
        S3Artifacts store = store(keys("not-the-secret"), 1000);
        assertThatThrownBy(() -> store.write(MODEL, "MLmodel", stream("x"))).isInstanceOf(IOException.class)
                .hasMessageContaining("refused PUT fuseml/workspace/wine/wine-1/model/MLmodel (403 "
                        + "SignatureDoesNotMatch)").hasMessageContaining("AWS_SECRET_ACCESS_KEY")
                .hasMessageNotContaining("not-the-secret");
        assertThat(s3.objects).isEmpty();
    }

    @Test
    void theDefaultChainTakesASessionTokenFromTheEnvironmentOfTheProcess() throws Exception {
        s3.keys.put("ASIASESSION", new FakeS3.Keys("session-secret", "the-session-token"));
        System.setProperty("aws.accessKeyId", "ASIASESSION");
        System.setProperty("aws.secretAccessKey", "session-secret");
        System.setProperty("aws.sessionToken", "the-session-token");
        S3Artifacts store = store(DefaultCredentialsProvider.builder().build(), 1000);
        store.write(MODEL, "MLmodel", stream("flavors: {}"));
        assertThat(s3.objects).containsKey("fuseml/workspace/wine/wine-1/model/MLmodel");

        System.setProperty("aws.sessionToken", "an-old-token");
        S3Artifacts stale = store(DefaultCredentialsProvider.builder().build(), 1000);
        assertThatThrownBy(() -> stale.write(MODEL, "x", stream("x"))).hasMessageContaining("403 InvalidToken");
    }

    @Test
    void theDefaultChainTradesAWebIdentityTokenFileAtStsAsIrsaDoes() throws Exception {
        s3.trust("eyJ.projected-service-account-token.sig");
        System.setProperty("aws.webIdentityTokenFile", FakeS3.tokenFile(dir, "eyJ.projected-service-account-token"
                + ".sig").toString());
        System.setProperty("aws.roleArn", "arn:aws:iam::123456789012:role/fuseml-artifacts");
        System.setProperty("aws.roleSessionName", "fuseml-control-plane");
        System.setProperty("aws.endpointUrlSts", s3.stsEndpoint().toString());
        System.setProperty("aws.region", FakeS3.REGION);
        S3Artifacts store = store(DefaultCredentialsProvider.builder().build(), 1000);
        store.write(MODEL, "MLmodel", stream("flavors: {}"));
        assertThat(s3.objects).containsKey("fuseml/workspace/wine/wine-1/model/MLmodel");
        assertThat(s3.requests).contains("STS AssumeRoleWithWebIdentity arn:aws:iam::123456789012:role/"
                + "fuseml-artifacts");
    }

    @Test
    void noCredentialsAnywhereOrABadBucketNameAreRefusedAtStartWithTheFix() {
        System.setProperty("aws.disableEc2Metadata", "true"); // this machine is no EC2 instance: do not ask
        assertThatThrownBy(() -> new S3Artifacts(new S3Artifacts.Settings(s3.endpoint(), "fuseml", "", "us-east-1"),
                DefaultCredentialsProvider.builder().build(), dir))
                .hasMessageContaining("no AWS credentials were found").hasMessageContaining("AWS_ACCESS_KEY_ID")
                .hasMessageContaining("AWS_WEB_IDENTITY_TOKEN_FILE");
        assertThatThrownBy(() -> new S3Artifacts(new S3Artifacts.Settings(s3.endpoint(), "Bad_Bucket", "",
                "us-east-1"), keys(SECRET), dir)).hasMessageContaining("is not a bucket name");
    }

    @Test
    void aPathThatLeavesTheArtifactIsRefusedBeforeAnyRequest() {
        S3Artifacts store = store(keys(SECRET), 1000);
        for (String bad : List.of("../other/MLmodel", "/etc/passwd", "a//b", "", "a/./b")) {
            assertThatThrownBy(() -> store.write(MODEL, bad, stream("x"))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a file inside");
        }
        assertThat(s3.requests).isEmpty();
    }

    @Test
    void theRegistryReadsAModelFromTheBucket() throws Exception {
        S3Artifacts store = store(keys(SECRET), 1000);
        store.write(MODEL, "MLmodel", stream("flavors:\n  python_function: {model_path: model.pkl}\n"
                + "  sklearn: {pickled_model: model.pkl}\n"));
        DirectoryModelStore registry = new DirectoryModelStore(new TestConfig(dir), store,
                dev.fuseml.dvc.DatasetLineage.NONE);
        ModelRegistry.Registration registration = new ModelRegistry.Registration("wine-1", "r", "c", Map.of(),
                Map.of(), "env", MODEL.toString());

        assertThatThrownBy(() -> registry.register("workspace", "wine", registration))
                .isInstanceOf(StepFailure.class).hasMessageContaining("'model.pkl', which is not in the model");
        store.write(MODEL, "model.pkl", stream("pickle"));
        assertThat(registry.register("workspace", "wine", registration).flavors())
                .contains("sklearn", "python_function");
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
