package dev.fuseml.webhook;

import dev.fuseml.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookStoreTest {
    @TempDir
    Path dir;

    @Test
    void aWebhookKeepsItsSecretReadableByTheOwnerOnlyAndBelongsToItsOrg() throws Exception {
        WebhookStore store = new WebhookStore(new TestConfig(dir));
        WebhookStore.Webhook hook = store.create("team", "wine", Provider.GITHUB, "https://example.com/r.git", "main");
        assertThat(hook.secret()).hasSize(48);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("webhooks")
                .resolve(hook.id() + ".json")))).isEqualTo("rw-------");
        assertThat(store.list("team")).extracting(WebhookStore.Webhook::id).containsExactly(hook.id());
        assertThat(store.list("other")).isEmpty();
        assertThat(store.delete("other", hook.id())).as("another org cannot delete it").isFalse();
        assertThat(store.get("../../etc/passwd")).isEmpty();
        assertThat(store.delete("team", hook.id())).isTrue();
        assertThat(store.get(hook.id())).isEmpty();
    }

    @Test
    void aRedeliveryIsKnownAlsoAfterARestart() {
        WebhookStore store = new WebhookStore(new TestConfig(dir));
        WebhookStore.Webhook hook = store.create("team", "wine", Provider.GITEA, "https://example.com/r.git", "main");
        assertThat(store.begin(hook.id(), "d-1")).isTrue();
        store.finish(hook.id(), true, "d-1");
        assertThat(store.begin(hook.id(), "d-1")).isFalse();
        WebhookStore restarted = new WebhookStore(new TestConfig(dir));
        assertThat(restarted.begin(hook.id(), "d-1")).isFalse();
        assertThat(restarted.begin(hook.id(), "d-2")).isTrue();
    }

    @Test
    void aDeliveryIsRecordedOnlyWhenItStartedARunAndNeverTakenTwiceAtOnce() {
        WebhookStore store = new WebhookStore(new TestConfig(dir));
        WebhookStore.Webhook hook = store.create("team", "wine", Provider.GITHUB, "https://example.com/r.git", "main");
        assertThat(store.begin(hook.id(), "delivery:d-1", "commit:c1")).isTrue();
        assertThat(store.begin(hook.id(), "delivery:d-2", "commit:c1")).as("the same commit, being processed")
                .isFalse();
        store.finish(hook.id(), false, "delivery:d-1", "commit:c1");
        assertThat(store.begin(hook.id(), "delivery:d-1", "commit:c1")).as("redelivered after a failure").isTrue();
        store.finish(hook.id(), true, "delivery:d-1", "commit:c1");
        assertThat(store.begin(hook.id(), "delivery:d-9", "commit:c1")).as("replayed under a new id").isFalse();
    }
}
