package dev.fuseml.api;

import dev.fuseml.mock.FakeBrokers;
import dev.fuseml.mock.FakeOrgProvisioner;
import dev.fuseml.org.OrgStore;
import dev.fuseml.testing.TestConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Creating an org, with fakes for what the platform makes for it. */
class OrgsResourceTest {
    @TempDir
    Path dir;

    private final FakeBrokers brokers = new FakeBrokers();
    private final FakeOrgProvisioner provisioner = new FakeOrgProvisioner();

    @Test
    void aNewOrgIsProvisionedAndGetsItsBrokerAndCreatingItAgainChangesNothingButAsks() throws Exception {
        OrgsResource orgs = new OrgsResource(new OrgStore(new TestConfig(dir)), brokers, provisioner);
        assertThat(orgs.create(new OrgsResource.CreateOrg("team-a")).getStatus()).isEqualTo(201);
        assertThat(orgs.create(new OrgsResource.CreateOrg("team-a")).getStatus()).isEqualTo(200);
        // provisioning is idempotent, so a second create repairs what a first one left half made
        assertThat(provisioner.provisioned).containsExactly("team-a", "team-a");
        assertThat(brokers.orgs).containsExactly("team-a", "team-a");
    }

    @Test
    void anOrgWhoseResourcesCannotBeMadeGetsNoBroker() {
        provisioner.onProvision = org -> {
            throw new IllegalStateException("the cluster refused namespace " + org);
        };
        OrgsResource orgs = new OrgsResource(new OrgStore(new TestConfig(dir)), brokers, provisioner);
        assertThatThrownBy(() -> orgs.create(new OrgsResource.CreateOrg("team-b")))
                .hasMessageContaining("refused namespace team-b");
        assertThat(brokers.orgs).isEmpty();
    }

    @Test
    void aBadOrgNameOrNoNameIsRefusedWithTheRule() {
        OrgsResource orgs = new OrgsResource(new OrgStore(new TestConfig(dir)), brokers, provisioner);
        assertThatThrownBy(() -> orgs.create(new OrgsResource.CreateOrg("Team_B")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DNS-1123");
        assertThatThrownBy(() -> orgs.create(null)).hasMessageContaining("send {\"name\": \"ORG\"}");
        assertThat(provisioner.provisioned).isEmpty();
    }
}
