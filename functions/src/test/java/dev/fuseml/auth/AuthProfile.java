package dev.fuseml.auth;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The orchestrator as {@code fuseml install} starts it: with an admin token, so every request needs a token. */
public class AuthProfile implements QuarkusTestProfile {
    public static final String ADMIN = "fuseml_security-test-admin-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fuseml.admin-token-sha256", dev.fuseml.eventing.Tokens.sha256(ADMIN),
                "fuseml.data-dir", "target/test-data-auth");
    }
}
