package dev.fuseml.mock;

import dev.fuseml.org.OrgProvisioner;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the orgs it is asked to make; {@link #onProvision} does the making (a test sets it to fail). */
public class FakeOrgProvisioner implements OrgProvisioner {
    public final List<String> provisioned = new CopyOnWriteArrayList<>();
    public volatile Hook<String, Void> onProvision = org -> null;

    @Override
    public void provision(String org) throws Exception {
        onProvision.apply(org);
        provisioned.add(org);
    }
}
