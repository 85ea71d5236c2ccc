package dev.fuseml.testing;

import dev.fuseml.FusemlConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings for tests that build stores without Quarkus: everything under one temporary directory. */
public record TestConfig(Path dataDir) implements FusemlConfig {
    public String python() { return "python3"; }
    public boolean sandbox() { return true; }
    public java.util.Optional<String> sandboxHide() { return java.util.Optional.empty(); }
    public Duration trainTimeout() { return Duration.ofSeconds(5); }
    public Duration trainWarmIdle() { return Duration.ZERO; }
    public Duration buildTimeout() { return Duration.ofSeconds(5); }
    public String host() { return "127.0.0.1"; }
    public int brokerPort() { return 0; }
    public String function() { return "all"; }
    public String platform() { return "local"; }
    public Artifacts artifacts() {
        return new Artifacts() {
            public Optional<String> s3Bucket() { return Optional.empty(); }
            public String s3Endpoint() { return "https://s3.amazonaws.com"; }
            public String s3Region() { return "us-east-1"; }
            public Optional<String> s3Prefix() { return Optional.empty(); }
        };
    }
    public Kubernetes kubernetes() { throw new UnsupportedOperationException("the tests' settings are local"); }
    public Optional<String> controlPlane() { return Optional.empty(); }
    public Optional<String> brokerUrl() { return Optional.empty(); }
    public Optional<String> sink() { return Optional.empty(); }
    public Duration lease() { return Duration.ofSeconds(30); }
    public Duration deliveryTimeout() { return Duration.ofSeconds(30); }
    public java.util.Map<String, String> steps() { return java.util.Map.of(); }
    public int retentionRuns() { return 100; }
    public int retentionVersions() { return 20; }
    public String defaultOrg() { return "workspace"; }
    public Optional<String> adminTokenSha256() { return Optional.empty(); }
    public Optional<String> systemToken() { return Optional.empty(); }
    public Optional<String> faultPause() { return Optional.empty(); }
    public int servingMaxWorkers() { return 2; }
    public int servingMaxBatch() { return 64; }
    public Duration servingMaxWait() { return Duration.ofMillis(2); }
    public Duration servingIdleTimeout() { return Duration.ofMinutes(15); }
}
