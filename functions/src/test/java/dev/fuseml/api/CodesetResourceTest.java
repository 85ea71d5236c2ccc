package dev.fuseml.api;

import dev.fuseml.mock.FakeCodesetStore;
import dev.fuseml.org.OrgStore;
import dev.fuseml.platform.SelfAddress;
import dev.fuseml.testing.TestConfig;
import dev.fuseml.testing.Zips;
import jakarta.ws.rs.WebApplicationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An upload of a project becomes a commit of its app's codeset, with a fake codeset store. */
class CodesetResourceTest {
    @TempDir
    Path dir;

    private final FakeCodesetStore codesets = new FakeCodesetStore();
    private CodesetResource resource;

    @BeforeEach
    void anOrgAndTheResource() {
        TestConfig config = new TestConfig(dir);
        OrgStore orgs = new OrgStore(config);
        orgs.create("team");
        resource = new CodesetResource(orgs, codesets, new SelfAddress(config) {
            @Override
            public String url() {
                return "http://control-plane.test";
            }
        }, config);
    }

    @Test
    void aZipBecomesACommitAndTheAnswerNamesTheRepositoryAndTheCommit() throws Exception {
        var answer = resource.upload("team", "wine", new ByteArrayInputStream(Zips.zip("train.py", "print(1)\n")));
        assertThat(answer.getStatus()).isEqualTo(201);
        CodesetResource.Commit commit = (CodesetResource.Commit) answer.getEntity();
        assertThat(commit.repository()).isEqualTo("http://control-plane.test/git/team/wine.git");
        assertThat(commit.commit()).hasSize(40);
        assertThat(codesets.commits).singleElement().isEqualTo(new FakeCodesetStore.Committed("team", "wine",
                "fuseml push", Map.of("train.py", "print(1)\n")));
        assertThat(dir.resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void somethingThatIsNoZipIsRefusedAndLeavesNothingBehind() throws Exception {
        var answer = resource.upload("team", "wine", new ByteArrayInputStream("not a zip".getBytes()));
        assertThat(answer.getStatus()).isEqualTo(400);
        assertThat(codesets.commits).isEmpty();
        assertThat(dir.resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void anUnknownOrgOrABadAppNameIsRefusedBeforeAnythingIsStored() {
        assertThatThrownBy(() -> resource.upload("nobody", "wine", new ByteArrayInputStream(new byte[0])))
                .isInstanceOfSatisfying(WebApplicationException.class, e -> {
                    assertThat(e.getResponse().getStatus()).isEqualTo(404);
                    assertThat(e.getResponse().getEntity().toString()).contains("fuseml create-org nobody");
                });
        assertThatThrownBy(() -> resource.upload("team", "Wine_1", new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DNS-1123");
        assertThat(codesets.commits).isEmpty();
        assertThat(Files.exists(dir.resolve("uploads"))).isFalse();
    }
}
