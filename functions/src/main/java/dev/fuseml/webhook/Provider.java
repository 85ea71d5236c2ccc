package dev.fuseml.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A git host and how it signs and names its webhook deliveries, as each documents it. Signatures are checked on the
 * raw body, in constant time, before anything parses it.
 */
public enum Provider {
    /** {@code X-Hub-Signature-256: sha256=HEX(HMAC-SHA256(secret, body))}, {@code X-GitHub-Event}. */
    GITHUB("X-GitHub-Event", "push", "X-GitHub-Delivery"),
    /** {@code X-Gitea-Signature: HEX(HMAC-SHA256(secret, body))}, {@code X-Gitea-Event}. */
    GITEA("X-Gitea-Event", "push", "X-Gitea-Delivery"),
    /** {@code X-Gitlab-Token: secret} (GitLab sends the secret itself), {@code X-Gitlab-Event: Push Hook}. */
    GITLAB("X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID");

    private final String eventHeader;
    private final String pushEvent;
    private final String deliveryHeader;

    Provider(String eventHeader, String pushEvent, String deliveryHeader) {
        this.eventHeader = eventHeader;
        this.pushEvent = pushEvent;
        this.deliveryHeader = deliveryHeader;
    }

    public static Provider parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown provider '" + name + "': github, gitea or gitlab");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the delivery carries the right signature (or token) for {@code secret}. */
    public boolean verified(Function<String, String> header, byte[] body, String secret) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        return switch (this) {
            case GITHUB -> matches(header.apply("X-Hub-Signature-256"), "sha256=" + hmac(key, body));
            case GITEA -> matches(header.apply("X-Gitea-Signature"), hmac(key, body));
            case GITLAB -> exactly(header.apply("X-Gitlab-Token"), secret);
        };
    }

    /** The event the delivery announces ({@code push}, {@code ping}, ...). */
    public String event(Function<String, String> header) {
        String event = header.apply(eventHeader);
        return event == null ? "" : event;
    }

    public boolean isPush(Function<String, String> header) {
        return pushEvent.equals(event(header));
    }

    /** The host's id of the delivery; a redelivery carries the same one. */
    /** The header that carries a delivery's id. */
    public String deliveryHeader() {
        return deliveryHeader;
    }

    public String delivery(Function<String, String> header) {
        return header.apply(deliveryHeader);
    }

    static String hmac(byte[] key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean exactly(String given, String expected) {
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    /** Hex digests compare without regard to case. */
    private static boolean matches(String given, String expected) {
        return given != null && MessageDigest.isEqual(given.strip().toLowerCase(Locale.ROOT)
                .getBytes(StandardCharsets.UTF_8), expected.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }
}
